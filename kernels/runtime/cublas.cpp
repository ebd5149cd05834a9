#include "kernels/runtime/cublas.h"

#include <limits>
#include <mutex>
#include <string>
#include <type_traits>

namespace convlab::cuda {

cublasHandle_t cublas_handle() {
  static cublasHandle_t handle = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    CUBLAS_CHECK(cublasCreate(&handle));
    CUBLAS_CHECK(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH));
    CUBLAS_CHECK(cublasSetStream(handle, nullptr));
  });
  return handle;
}

namespace {

// A leading dimension for cuBLAS, which wants at least 1 even when the
// matrix has no columns (e.g. affine with D = 0, where the product is empty
// and C keeps beta * C).
int64_t ld(int64_t v) { return v < 1 ? 1 : v; }

int to_int(int64_t v, const char* what) {
  if (v < 0 || v > std::numeric_limits<int>::max())
    throw Error(std::string("gemm: ") + what + " = " + std::to_string(v) + " does not fit cuBLAS's int sizes");
  return static_cast<int>(v);
}

cublasOperation_t op(bool t) { return t ? CUBLAS_OP_T : CUBLAS_OP_N; }

}  // namespace

template <class T>
void gemm_row_major(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* A, int64_t lda,
                    const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  const int mi = to_int(m, "m"), ni = to_int(n, "n"), ki = to_int(k, "k");
  const int la = to_int(ld(lda), "lda"), lb = to_int(ld(ldb), "ldb"), lc = to_int(ld(ldc), "ldc");
  if (mi == 0 || ni == 0) return;
  // Column-major C^T (n x m) = op(B)^T (n x k) * op(A)^T (k x m).
  if constexpr (std::is_same_v<T, float>)
    CUBLAS_CHECK(
        cublasSgemm(cublas_handle(), op(trans_b), op(trans_a), ni, mi, ki, &alpha, B, lb, A, la, &beta, C, lc));
  else
    CUBLAS_CHECK(
        cublasDgemm(cublas_handle(), op(trans_b), op(trans_a), ni, mi, ki, &alpha, B, lb, A, la, &beta, C, lc));
}

template <class T>
void gemm_row_major(MathPrecision precision, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha,
                    const T* A, int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  if (precision == MathPrecision::full)
    return gemm_row_major<T>(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
  if constexpr (!std::is_same_v<T, float>) {
    throw Error(std::string("gemm: ") + math_precision_name(precision) + " takes float32 matrices");
  } else {
    const int mi = to_int(m, "m"), ni = to_int(n, "n"), ki = to_int(k, "k");
    const int la = to_int(ld(lda), "lda"), lb = to_int(ld(ldb), "ldb"), lc = to_int(ld(ldc), "ldc");
    if (mi == 0 || ni == 0) return;
    const cublasComputeType_t compute =
        precision == MathPrecision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F_FAST_16BF;
    CUBLAS_CHECK(cublasGemmEx(cublas_handle(), op(trans_b), op(trans_a), ni, mi, ki, &alpha, B, CUDA_R_32F, lb, A,
                              CUDA_R_32F, la, &beta, C, CUDA_R_32F, lc, compute, CUBLAS_GEMM_DEFAULT));
  }
}

template <class T>
void gemm_row_major_batched(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* A,
                            int64_t lda, int64_t stride_a, const T* B, int64_t ldb, int64_t stride_b, T beta, T* C,
                            int64_t ldc, int64_t stride_c, int64_t batch) {
  const int mi = to_int(m, "m"), ni = to_int(n, "n"), ki = to_int(k, "k");
  const int la = to_int(ld(lda), "lda"), lb = to_int(ld(ldb), "ldb"), lc = to_int(ld(ldc), "ldc");
  const int bi = to_int(batch, "batch");
  if (mi == 0 || ni == 0 || bi == 0) return;
  if constexpr (std::is_same_v<T, float>)
    CUBLAS_CHECK(cublasSgemmStridedBatched(cublas_handle(), op(trans_b), op(trans_a), ni, mi, ki, &alpha, B, lb,
                                           stride_b, A, la, stride_a, &beta, C, lc, stride_c, bi));
  else
    CUBLAS_CHECK(cublasDgemmStridedBatched(cublas_handle(), op(trans_b), op(trans_a), ni, mi, ki, &alpha, B, lb,
                                           stride_b, A, la, stride_a, &beta, C, lc, stride_c, bi));
}

template void gemm_row_major<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                                    int64_t, float, float*, int64_t);
template void gemm_row_major<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                                     const double*, int64_t, double, double*, int64_t);
template void gemm_row_major<float>(MathPrecision, bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                                    const float*, int64_t, float, float*, int64_t);
template void gemm_row_major<double>(MathPrecision, bool, bool, int64_t, int64_t, int64_t, double, const double*,
                                     int64_t, const double*, int64_t, double, double*, int64_t);
template void gemm_row_major_batched<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                                            int64_t, const float*, int64_t, int64_t, float, float*, int64_t, int64_t,
                                            int64_t);
template void gemm_row_major_batched<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                                             int64_t, const double*, int64_t, int64_t, double, double*, int64_t,
                                             int64_t, int64_t);

}  // namespace convlab::cuda
