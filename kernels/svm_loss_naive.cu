// svm_loss, "naive" variant: one thread per row, one pass over the row
// (margins, their count and the gradient). Row reads are C apart across a
// warp (not coalesced); fine for classifier-sized C.
#include "kernels/loss_common.cuh"
#include "kernels/loss_cuda.h"

namespace convlab::cuda {

template <class T>
__global__ void svm_loss_naive_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t N, int64_t C,
                                      T* __restrict__ row_loss, T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(row, N) {
    const T* xr = x + row * C;
    T* dr = dx + row * C;
    const int32_t label = y[row];
    if (poison_bad_label_row(label, C, 0, 1, row_loss + row, dr)) continue;
    double loss = 0;
    int64_t positive = 0;
    svm_row_part(xr, C, label, N, 0, 1, dr, loss, positive);
    row_loss[row] = static_cast<T>(loss);
    dr[label] = svm_label_grad<T>(positive, N);
  }
}

LossOut svm_loss_naive(const Tensor& x, const Tensor& y) {
  return run_loss("svm_loss", x, y, false,
                  [](auto zero) -> LossKernel<decltype(zero)> { return svm_loss_naive_kernel<decltype(zero)>; });
}

}  // namespace convlab::cuda
