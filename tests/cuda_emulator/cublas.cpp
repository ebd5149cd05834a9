// The emulator's cuBLAS subset: reference loops over column-major storage.
#include "cublas_v2.h"

#include "cuda_bf16.h"

struct cublasContext {};

namespace {

// Column-major op(M)(i, j), with op(M) of size rows x cols.
template <class T>
T at(const T* M, int ld, cublasOperation_t t, long long i, long long j) {
  return t == CUBLAS_OP_N ? M[i + j * ld] : M[j + i * ld];
}

template <class T>
T as_is(T v) {
  return v;
}

// `operand` is how the multiplier reads an element of A or B (as_is, or a
// rounding to the tensor cores' operand type).
template <class T, class Operand = T (*)(T)>
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, T alpha,
                    const T* A, int lda, const T* B, int ldb, T beta, T* C, int ldc, Operand operand = as_is<T>) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (m < 0 || n < 0 || k < 0 || ldc < (m > 1 ? m : 1) || lda < 1 || ldb < 1) return CUBLAS_STATUS_INVALID_VALUE;
  if ((ta == CUBLAS_OP_N ? lda < m : lda < k) || (tb == CUBLAS_OP_N ? ldb < k : ldb < n))
    return CUBLAS_STATUS_INVALID_VALUE;
  for (long long j = 0; j < n; ++j)
    for (long long i = 0; i < m; ++i) {
      double s = 0;
      for (long long p = 0; p < k; ++p)
        s += double(operand(at(A, lda, ta, i, p))) * double(operand(at(B, ldb, tb, p, j)));
      T& c = C[i + j * ldc];
      c = beta == T(0) ? T(double(alpha) * s) : T(double(alpha) * s + double(beta) * double(c));
    }
  return CUBLAS_STATUS_SUCCESS;
}

template <class T>
cublasStatus_t gemm_batched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, T alpha,
                            const T* A, int lda, long long sa, const T* B, int ldb, long long sb, T beta, T* C, int ldc,
                            long long sc, int batch) {
  if (batch < 0) return CUBLAS_STATUS_INVALID_VALUE;
  for (int b = 0; b < batch; ++b) {
    const cublasStatus_t st = gemm(h, ta, tb, m, n, k, alpha, A + b * sa, lda, B + b * sb, ldb, beta, C + b * sc, ldc);
    if (st != CUBLAS_STATUS_SUCCESS) return st;
  }
  return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

cublasStatus_t cublasCreate(cublasHandle_t* handle) {
  *handle = new cublasContext{};
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t handle) {
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t) {
  return handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t) {
  return handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}

const char* cublasGetStatusString(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
  }
  return "unknown cuBLAS status";
}

cublasStatus_t cublasGemmEx(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                            const void* alpha, const void* A, cudaDataType_t a_type, int lda, const void* B,
                            cudaDataType_t b_type, int ldb, const void* beta, void* C, cudaDataType_t c_type, int ldc,
                            cublasComputeType_t compute, cublasGemmAlgo_t) {
  if (a_type != CUDA_R_32F || b_type != CUDA_R_32F || c_type != CUDA_R_32F) return CUBLAS_STATUS_INVALID_VALUE;
  const float al = *static_cast<const float*>(alpha), be = *static_cast<const float*>(beta);
  const auto* a = static_cast<const float*>(A);
  const auto* b = static_cast<const float*>(B);
  auto* c = static_cast<float*>(C);
  switch (compute) {
    case CUBLAS_COMPUTE_32F:
      return gemm(h, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc);
    case CUBLAS_COMPUTE_32F_FAST_TF32:
      return gemm(h, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc,
                  [](float v) { return convlab_emu::bits_float(convlab_emu::cvt_rna_tf32(v)); });
    case CUBLAS_COMPUTE_32F_FAST_16BF:
      return gemm(h, ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc,
                  [](float v) { return convlab_emu::bits_float(uint32_t{convlab_emu::bf16_rn(v)} << 16); });
  }
  return CUBLAS_STATUS_INVALID_VALUE;
}

cublasStatus_t cublasSgemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                           const float* alpha, const float* A, int lda, const float* B, int ldb, const float* beta,
                           float* C, int ldc) {
  return gemm(h, ta, tb, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc);
}

cublasStatus_t cublasDgemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                           const double* alpha, const double* A, int lda, const double* B, int ldb, const double* beta,
                           double* C, int ldc) {
  return gemm(h, ta, tb, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc);
}

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const float* alpha, const float* A, int lda, long long sa,
                                         const float* B, int ldb, long long sb, const float* beta, float* C, int ldc,
                                         long long sc, int batch) {
  return gemm_batched(h, ta, tb, m, n, k, *alpha, A, lda, sa, B, ldb, sb, *beta, C, ldc, sc, batch);
}

cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const double* alpha, const double* A, int lda, long long sa,
                                         const double* B, int ldb, long long sb, const double* beta, double* C, int ldc,
                                         long long sc, int batch) {
  return gemm_batched(h, ta, tb, m, n, k, *alpha, A, lda, sa, B, ldb, sb, *beta, C, ldc, sc, batch);
}

cublasStatus_t cublasDsyrk(cublasHandle_t h, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k,
                           const double* alpha, const double* A, int lda, const double* beta, double* C, int ldc) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (n < 0 || k < 0 || ldc < (n > 1 ? n : 1)) return CUBLAS_STATUS_INVALID_VALUE;
  // C = alpha op(A) op(A)^T + beta C on one triangle; op(A) is n x k.
  for (long long j = 0; j < n; ++j)
    for (long long i = 0; i < n; ++i) {
      if (uplo == CUBLAS_FILL_MODE_LOWER ? i < j : i > j) continue;
      double s = 0;
      for (long long p = 0; p < k; ++p) s += at(A, lda, trans, i, p) * at(A, lda, trans, j, p);
      double& c = C[i + j * ldc];
      c = *beta == 0 ? *alpha * s : *alpha * s + *beta * c;
    }
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDgemv(cublasHandle_t h, cublasOperation_t trans, int m, int n, const double* alpha,
                           const double* A, int lda, const double* x, int incx, const double* beta, double* y,
                           int incy) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (m < 0 || n < 0 || lda < (m > 1 ? m : 1) || incx == 0 || incy == 0) return CUBLAS_STATUS_INVALID_VALUE;
  // y = alpha op(A) x + beta y, A is m x n (column-major).
  const long long rows = trans == CUBLAS_OP_N ? m : n, cols = trans == CUBLAS_OP_N ? n : m;
  for (long long i = 0; i < rows; ++i) {
    double s = 0;
    for (long long j = 0; j < cols; ++j) s += at(A, lda, trans, i, j) * x[j * incx];
    double& yi = y[i * incy];
    yi = *beta == 0 ? *alpha * s : *alpha * s + *beta * yi;
  }
  return CUBLAS_STATUS_SUCCESS;
}
