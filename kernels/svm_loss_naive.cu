// svm_loss, "naive" variant: one thread per row; two passes over the row
// (margins and their count, then the gradient). Row reads are C apart across
// a warp (not coalesced); fine for classifier-sized C.
#include <limits>

#include "kernels/loss_common.h"
#include "kernels/loss_cuda.h"
#include "kernels/runtime/launch.h"

namespace convlab::cuda {

template <class T>
__global__ void svm_loss_naive_kernel(const T* __restrict__ x, const int32_t* __restrict__ y, int64_t N, int64_t C,
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
    // Margins in double, as the CPU reference computes them, so that a margin
    // at the hinge takes the same side in float32 on both.
    const double correct = static_cast<double>(xr[label]);
    const T inv_n = T(1.0 / static_cast<double>(N));
    double loss = 0;
    int64_t positive = 0;
    for (int64_t j = 0; j < C; ++j) {
      const double margin = static_cast<double>(xr[j]) - correct + 1.0;
      const bool active = j != label && margin > 0.0;
      loss += active ? margin : 0.0;
      positive += active ? 1 : 0;
      dr[j] = active ? inv_n : T(0);
    }
    row_loss[row] = static_cast<T>(loss);
    dr[label] = static_cast<T>(-static_cast<double>(positive) / static_cast<double>(N));
  }
}

template <class T>
void svm_loss_naive_launch(const T* x, const int32_t* y, int64_t N, int64_t C, T* row_loss, T* dx) {
  svm_loss_naive_kernel<T><<<grid_for(N, 128), 128>>>(x, y, N, C, row_loss, dx);
  CUDA_CHECK_LAUNCH("svm_loss_naive");
}

template void svm_loss_naive_launch<float>(const float*, const int32_t*, int64_t, int64_t, float*, float*);
template void svm_loss_naive_launch<double>(const double*, const int32_t*, int64_t, int64_t, double*, double*);

LossOut svm_loss_naive(const Tensor& x, const Tensor& y) {
  return run_loss("svm_loss", x, y, [](auto... args) { svm_loss_naive_launch(args...); });
}

}  // namespace convlab::cuda
