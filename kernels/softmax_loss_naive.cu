// softmax_loss, "naive" variant: one thread per row makes three passes over
// its row (max, sum of exponentials, gradient). Threads of a warp read rows
// C apart, so loads are not coalesced; fine for the small C of classifiers.
#include <limits>

#include "kernels/loss_common.h"
#include "kernels/loss_cuda.h"
#include "kernels/runtime/launch.h"

namespace convlab::cuda {

template <class T>
__global__ void softmax_loss_naive_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t N, int64_t C,
                                          T* __restrict__ row_loss, T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(row, N) {
    const T* xr = x + row * C;
    T* dr = dx + row * C;
    const int32_t label = y[row];
    if (label < 0 || label >= C) {
      const T nan = std::numeric_limits<T>::quiet_NaN();
      row_loss[row] = nan;
      for (int64_t j = 0; j < C; ++j) dr[j] = nan;
      continue;
    }
    T mx = xr[0];
    for (int64_t j = 1; j < C; ++j) mx = xr[j] > mx ? xr[j] : mx;
    T sum = 0;
    for (int64_t j = 0; j < C; ++j) sum += exp(xr[j] - mx);
    row_loss[row] = log(sum) - (xr[label] - mx);
    const T inv_n = T(1) / static_cast<T>(N);
    for (int64_t j = 0; j < C; ++j) dr[j] = (exp(xr[j] - mx) / sum - (j == label ? T(1) : T(0))) * inv_n;
  }
}

template <class T>
void softmax_loss_naive_launch(const T* x, const int32_t* y, int64_t N, int64_t C, T* row_loss, T* dx) {
  softmax_loss_naive_kernel<T><<<grid_for(N, 128), 128>>>(x, y, N, C, row_loss, dx);
  CUDA_CHECK_LAUNCH("softmax_loss_naive");
}

template void softmax_loss_naive_launch<float>(const float*, const int32_t*, int64_t, int64_t, float*, float*);
template void softmax_loss_naive_launch<double>(const double*, const int32_t*, int64_t, int64_t, double*, double*);

LossOut softmax_loss_naive(const Tensor& x, const Tensor& y) {
  return run_loss("softmax_loss", x, y, [](auto... args) { softmax_loss_naive_launch(args...); });
}

}  // namespace convlab::cuda
