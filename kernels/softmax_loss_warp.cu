// softmax_loss, "warp" variant: one warp per row. The 32 lanes stride over
// the row together (coalesced loads), and warp shuffles reduce the row's max
// and sum of exponentials; every lane then writes its part of the gradient.
#include <limits>

#include "kernels/loss_common.h"
#include "kernels/loss_cuda.h"
#include "kernels/runtime/launch.h"
#include "kernels/runtime/reduce.cuh"

namespace convlab::cuda {

constexpr int kLossWarpsPerBlock = 8;

template <class T>
__global__ void softmax_loss_warp_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t N, int64_t C,
                                         T* __restrict__ row_loss, T* __restrict__ dx) {
  const int lane = threadIdx.x & 31;
  const int64_t warps_total = static_cast<int64_t>(gridDim.x) * kLossWarpsPerBlock;
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * kLossWarpsPerBlock + (threadIdx.x >> 5); row < N;
       row += warps_total) {
    const T* xr = x + row * C;
    T* dr = dx + row * C;
    const int32_t label = y[row];  // same for the whole warp: the branch does not diverge
    if (label < 0 || label >= C) {
      const T nan = std::numeric_limits<T>::quiet_NaN();
      if (lane == 0) row_loss[row] = nan;
      for (int64_t j = lane; j < C; j += 32) dr[j] = nan;
      continue;
    }
    T mx = -std::numeric_limits<T>::infinity();
    for (int64_t j = lane; j < C; j += 32) mx = xr[j] > mx ? xr[j] : mx;
    mx = warp_max(mx);
    T sum = 0;
    for (int64_t j = lane; j < C; j += 32) sum += exp(xr[j] - mx);
    sum = warp_allsum(sum);
    if (lane == 0) row_loss[row] = log(sum) - (xr[label] - mx);
    const T inv_n = T(1) / static_cast<T>(N);
    for (int64_t j = lane; j < C; j += 32) dr[j] = (exp(xr[j] - mx) / sum - (j == label ? T(1) : T(0))) * inv_n;
  }
}

template <class T>
void softmax_loss_warp_launch(const T* x, const int32_t* y, int64_t N, int64_t C, T* row_loss, T* dx) {
  softmax_loss_warp_kernel<T>
      <<<grid_for(N, kLossWarpsPerBlock), kLossWarpsPerBlock * 32>>>(x, y, N, C, row_loss, dx);
  CUDA_CHECK_LAUNCH("softmax_loss_warp");
}

template void softmax_loss_warp_launch<float>(const float*, const int32_t*, int64_t, int64_t, float*, float*);
template void softmax_loss_warp_launch<double>(const double*, const int32_t*, int64_t, int64_t, double*, double*);

LossOut softmax_loss_warp(const Tensor& x, const Tensor& y) {
  return run_loss("softmax_loss", x, y, [](auto... args) { softmax_loss_warp_launch(args...); });
}

}  // namespace convlab::cuda
