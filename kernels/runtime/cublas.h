// The process-wide cuBLAS handle and row-major GEMM wrappers over it.
//
// convlab tensors are row-major; cuBLAS is column-major. A row-major matrix
// read as column-major is its transpose, so C = op(A) op(B) (row-major) is
// computed as C^T = op(B)^T op(A)^T (column-major): the wrappers swap the
// operands and the m/n sizes, and callers think in row-major only.
#pragma once
#include <cstdint>

#include "host/ops/math_precision.h"
#include "kernels/runtime/cuda_check.h"

namespace convlab::cuda {

// Created on first use, bound to the default stream and default (non-TF32)
// math, so float results match float arithmetic; never destroyed (it must
// outlive every tensor freed at exit).
cublasHandle_t cublas_handle();

// C (m x n, leading dim ldc) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C, all row-major.
template <class T>
void gemm_row_major(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* A, int64_t lda,
                    const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

// The same in `precision`: full is the call above; tf32 and bf16 (float
// only) run cublasGemmEx on float32 matrices with CUBLAS_COMPUTE_32F_FAST_TF32
// or _FAST_16BF: operands rounded to TF32 or BF16 for the tensor cores,
// float32 accumulation.
template <class T>
void gemm_row_major(MathPrecision precision, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha,
                    const T* A, int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

// The same over `batch` matrices at fixed strides (a stride of 0 reuses one matrix).
template <class T>
void gemm_row_major_batched(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* A,
                            int64_t lda, int64_t stride_a, const T* B, int64_t ldb, int64_t stride_b, T beta, T* C,
                            int64_t ldc, int64_t stride_c, int64_t batch);

}  // namespace convlab::cuda
