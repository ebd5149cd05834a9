// softmax_loss, "warp" variant: one warp per row. The 32 lanes stride over
// the row together (coalesced loads), and warp shuffles reduce the row's max
// and sum of exponentials; every lane then writes its part of the gradient.
#include "kernels/loss_common.cuh"
#include "kernels/loss_cuda.h"
#include "kernels/runtime/reduce.cuh"

namespace convlab::cuda {

template <class T>
__global__ void softmax_loss_warp_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t N, int64_t C,
                                         T* __restrict__ row_loss, T* __restrict__ dx) {
  const int lane = threadIdx.x & 31;
  CONVLAB_WARP_ROW_LOOP(row, N) {
    const T* xr = x + row * C;
    T* dr = dx + row * C;
    const int32_t label = y[row];  // same for the whole warp: the branch does not diverge
    if (poison_bad_label_row(label, C, lane, 32, row_loss + row, dr)) continue;
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

LossOut softmax_loss_warp(const Tensor& x, const Tensor& y) {
  return run_loss("softmax_loss", x, y, true,
                  [](auto zero) -> LossKernel<decltype(zero)> { return softmax_loss_warp_kernel<decltype(zero)>; });
}

}  // namespace convlab::cuda
