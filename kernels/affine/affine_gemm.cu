// affine, "gemm" variant: the three matrix products go to cuBLAS
// (row-major handled by swapping operands, see runtime/cublas.h); the bias is
// broadcast into the output first and the product accumulated onto it.
#include "kernels/affine/affine_common.cuh"
#include "kernels/runtime/cublas.h"
#include "kernels/runtime/launch.cuh"
#include "kernels/runtime/reductions.h"

namespace convlab::cuda {

// out[n, m] = b[m]: thread per element, coalesced writes.
template <class T>
__global__ void broadcast_rows_kernel(const T* __restrict__ b, int64_t N, int64_t M, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, N * M) out[i] = b[i % M];
}

template <class T>
void affine_forward_gemm_launch(const T* x, const T* w, const T* b, int64_t N, int64_t D, int64_t M, T* out) {
  if (N * M == 0) return;
  launch_n("broadcast_rows_kernel", N * M, broadcast_rows_kernel<T>, b, N, M, out);
  gemm_row_major<T>(false, false, N, M, D, T(1), x, D, w, M, T(1), out, M);  // out += x w
}

template <class T>
void affine_backward_gemm_launch(const T* dout, const T* x, const T* w, int64_t N, int64_t D, int64_t M, T* dx, T* dw,
                                 T* db) {
  if (dx) gemm_row_major<T>(false, true, N, D, M, T(1), dout, M, w, M, T(0), dx, D);  // dx = dout w^T
  gemm_row_major<T>(true, false, D, M, N, T(1), x, D, dout, M, T(0), dw, M);          // dw = x^T dout
  column_sum(dout, N, M, db);
}

Forward<AffineCache> affine_forward_gemm(const Tensor& x, const Tensor& w, const Tensor& b) {
  return affine_forward_run(x, w, b, [](auto... a) { affine_forward_gemm_launch(a...); });
}

Grads affine_backward_gemm(const Tensor& dout, const AffineCache& cache, bool need_dx) {
  return affine_backward_run(dout, cache, need_dx, [](auto... a) { affine_backward_gemm_launch(a...); });
}

}  // namespace convlab::cuda
