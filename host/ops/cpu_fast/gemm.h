// Row-major GEMM for the fast CPU ops:
//   C (M x N) = alpha * op(A) * op(B) + beta * C,
// op(A) = A (M x K) or A^T (A stored K x M) when trans_a, likewise B; lda,
// ldb, ldc are the row strides as stored. gemm() calls OpenBLAS when the
// build has it and gemm_portable() otherwise.
#pragma once
#include <cstdint>

namespace convlab::fast {

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
          const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

// Plain OpenMP loops (rows of C split over threads, inner loop over a
// contiguous row of B when B is not transposed): the fallback without BLAS,
// and an independent check of the BLAS path in the tests.
template <class T>
void gemm_portable(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                   const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

}  // namespace convlab::fast
