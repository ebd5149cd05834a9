// softmax_loss, "naive" variant: one thread per row makes three passes over
// its row (max, sum of exponentials, gradient). Threads of a warp read rows
// C apart, so loads are not coalesced; fine for the small C of classifiers.
#include "kernels/loss_common.cuh"
#include "kernels/loss_cuda.h"

namespace convlab::cuda {

template <class T>
__global__ void softmax_loss_naive_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t N, int64_t C,
                                          T* __restrict__ row_loss, T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(row, N) {
    const T* xr = x + row * C;
    T* dr = dx + row * C;
    const int32_t label = y[row];
    if (poison_bad_label_row(label, C, 0, 1, row_loss + row, dr)) continue;
    T mx = xr[0];
    for (int64_t j = 1; j < C; ++j) mx = xr[j] > mx ? xr[j] : mx;
    T sum = 0;
    for (int64_t j = 0; j < C; ++j) sum += exp(xr[j] - mx);
    row_loss[row] = log(sum) - (xr[label] - mx);
    const T inv_n = T(1) / static_cast<T>(N);
    for (int64_t j = 0; j < C; ++j) dr[j] = (exp(xr[j] - mx) / sum - (j == label ? T(1) : T(0))) * inv_n;
  }
}

LossOut softmax_loss_naive(const Tensor& x, const Tensor& y) {
  return run_loss("softmax_loss", x, y, false,
                  [](auto zero) -> LossKernel<decltype(zero)> { return softmax_loss_naive_kernel<decltype(zero)>; });
}

}  // namespace convlab::cuda
