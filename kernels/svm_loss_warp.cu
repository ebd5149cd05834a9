// svm_loss, "warp" variant: one warp per row; lanes stride over the row
// (coalesced), shuffles sum the margins and count the positive ones.
#include <limits>

#include "kernels/loss_common.h"
#include "kernels/loss_cuda.h"
#include "kernels/runtime/launch.h"
#include "kernels/runtime/reduce.cuh"

namespace convlab::cuda {

constexpr int kSvmWarpsPerBlock = 8;

template <class T>
__global__ void svm_loss_warp_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t N, int64_t C,
                                     T* __restrict__ row_loss, T* __restrict__ dx) {
  const int lane = threadIdx.x & 31;
  const int64_t warps_total = static_cast<int64_t>(gridDim.x) * kSvmWarpsPerBlock;
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * kSvmWarpsPerBlock + (threadIdx.x >> 5); row < N;
       row += warps_total) {
    const T* xr = x + row * C;
    T* dr = dx + row * C;
    const int32_t label = y[row];  // uniform across the warp
    if (label < 0 || label >= C) {
      const T nan = std::numeric_limits<T>::quiet_NaN();
      if (lane == 0) row_loss[row] = nan;
      for (int64_t j = lane; j < C; j += 32) dr[j] = nan;
      continue;
    }
    // Margins in double, as the CPU reference computes them, so that a margin
    // at the hinge takes the same side in float32 on both.
    const double correct = static_cast<double>(xr[label]);
    const T inv_n = T(1.0 / static_cast<double>(N));
    double loss = 0;
    int positive = 0;
    for (int64_t j = lane; j < C; j += 32) {
      const double margin = static_cast<double>(xr[j]) - correct + 1.0;
      const bool active = j != label && margin > 0.0;
      loss += active ? margin : 0.0;
      positive += active ? 1 : 0;
      if (j != label) dr[j] = active ? inv_n : T(0);
    }
    loss = warp_sum(loss);
    positive = warp_sum(positive);
    if (lane == 0) {
      row_loss[row] = static_cast<T>(loss);
      dr[label] = static_cast<T>(-static_cast<double>(positive) / static_cast<double>(N));
    }
  }
}

template <class T>
void svm_loss_warp_launch(const T* x, const int32_t* y, int64_t N, int64_t C, T* row_loss, T* dx) {
  svm_loss_warp_kernel<T><<<grid_for(N, kSvmWarpsPerBlock), kSvmWarpsPerBlock * 32>>>(x, y, N, C, row_loss, dx);
  CUDA_CHECK_LAUNCH("svm_loss_warp");
}

template void svm_loss_warp_launch<float>(const float*, const int32_t*, int64_t, int64_t, float*, float*);
template void svm_loss_warp_launch<double>(const double*, const int32_t*, int64_t, int64_t, double*, double*);

LossOut svm_loss_warp(const Tensor& x, const Tensor& y) {
  return run_loss("svm_loss", x, y, [](auto... args) { svm_loss_warp_launch(args...); });
}

}  // namespace convlab::cuda
