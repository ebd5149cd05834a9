// svm_loss, "warp" variant: one warp per row; lanes stride over the row
// (coalesced), shuffles sum the margins and count the positive ones.
#include "kernels/loss_common.cuh"
#include "kernels/loss_cuda.h"
#include "kernels/runtime/reduce.cuh"

namespace convlab::cuda {

template <class T>
__global__ void svm_loss_warp_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t N, int64_t C,
                                     T* __restrict__ row_loss, T* __restrict__ dx) {
  const int lane = threadIdx.x & 31;
  CONVLAB_WARP_ROW_LOOP(row, N) {
    const T* xr = x + row * C;
    T* dr = dx + row * C;
    const int32_t label = y[row];  // uniform across the warp
    if (poison_bad_label_row(label, C, lane, 32, row_loss + row, dr)) continue;
    double loss = 0;
    int64_t positive = 0;
    svm_row_part(xr, C, label, N, lane, 32, dr, loss, positive);
    loss = warp_sum(loss);  // complete in lane 0
    positive = warp_sum(positive);
    if (lane == 0) {
      row_loss[row] = static_cast<T>(loss);
      dr[label] = svm_label_grad<T>(positive, N);
    }
  }
}

LossOut svm_loss_warp(const Tensor& x, const Tensor& y) {
  return run_loss("svm_loss", x, y, true,
                  [](auto zero) -> LossKernel<decltype(zero)> { return svm_loss_warp_kernel<decltype(zero)>; });
}

}  // namespace convlab::cuda
