// affine, "gemm" variant: the three matrix products go to cuBLAS
// (row-major handled by swapping operands, see runtime/cublas.h); the bias is
// broadcast into the output first and the product accumulated onto it.
// "gemm_tf32" and "gemm_bf16": the same products on tensor cores
// (cublasGemmEx with CUBLAS_COMPUTE_32F_FAST_TF32 / _FAST_16BF), float32 only.
#include <type_traits>

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

// P: the products' math (full, or float32 on tensor cores as tf32 or bf16).
template <MathPrecision P, class T>
void affine_forward_gemm_launch(const char* name, const T* x, const T* w, const T* b, int64_t N, int64_t D, int64_t M,
                                T* out) {
  require_math_precision(name, P, std::is_same_v<T, float>);
  if (N * M == 0) return;
  launch_n("broadcast_rows_kernel", N * M, broadcast_rows_kernel<T>, b, N, M, out);
  gemm_row_major<T>(P, false, false, N, M, D, T(1), x, D, w, M, T(1), out, M);  // out += x w
}

template <MathPrecision P, class T>
void affine_backward_gemm_launch(const char* name, const T* dout, const T* x, const T* w, int64_t N, int64_t D,
                                 int64_t M, T* dx, T* dw, T* db) {
  require_math_precision(name, P, std::is_same_v<T, float>);
  if (dx) gemm_row_major<T>(P, false, true, N, D, M, T(1), dout, M, w, M, T(0), dx, D);  // dx = dout w^T
  gemm_row_major<T>(P, true, false, D, M, N, T(1), x, D, dout, M, T(0), dw, M);          // dw = x^T dout
  column_sum(dout, N, M, db);
}

template <MathPrecision P>
Forward<AffineCache> affine_forward_gemm_in(const Tensor& x, const Tensor& w, const Tensor& b, const char* name) {
  return affine_forward_run(x, w, b, [name](auto... a) { affine_forward_gemm_launch<P>(name, a...); });
}

template <MathPrecision P>
Grads affine_backward_gemm_in(const Tensor& dout, const AffineCache& cache, bool need_dx, const char* name) {
  return affine_backward_run(dout, cache, need_dx, [name](auto... a) { affine_backward_gemm_launch<P>(name, a...); });
}

Forward<AffineCache> affine_forward_gemm(const Tensor& x, const Tensor& w, const Tensor& b) {
  return affine_forward_gemm_in<MathPrecision::full>(x, w, b, "affine_forward (gemm)");
}
Grads affine_backward_gemm(const Tensor& dout, const AffineCache& cache, bool need_dx) {
  return affine_backward_gemm_in<MathPrecision::full>(dout, cache, need_dx, "affine_backward (gemm)");
}
Forward<AffineCache> affine_forward_gemm_tf32(const Tensor& x, const Tensor& w, const Tensor& b) {
  return affine_forward_gemm_in<MathPrecision::tf32>(x, w, b, "affine_forward (gemm_tf32)");
}
Grads affine_backward_gemm_tf32(const Tensor& dout, const AffineCache& cache, bool need_dx) {
  return affine_backward_gemm_in<MathPrecision::tf32>(dout, cache, need_dx, "affine_backward (gemm_tf32)");
}
Forward<AffineCache> affine_forward_gemm_bf16(const Tensor& x, const Tensor& w, const Tensor& b) {
  return affine_forward_gemm_in<MathPrecision::bf16>(x, w, b, "affine_forward (gemm_bf16)");
}
Grads affine_backward_gemm_bf16(const Tensor& dout, const AffineCache& cache, bool need_dx) {
  return affine_backward_gemm_in<MathPrecision::bf16>(dout, cache, need_dx, "affine_backward (gemm_bf16)");
}

}  // namespace convlab::cuda
