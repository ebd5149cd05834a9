// Row-major GEMM for the fast CPU ops:
//   C (M x N) = alpha * op(A) * op(B) + beta * C,
// op(A) = A (M x K) or A^T (A stored K x M) when trans_a, likewise B; lda,
// ldb, ldc are the row strides as stored.
#pragma once
#include <cstdint>

namespace convlab::threaded {

// One product on the calling thread: single-threaded OpenBLAS when the build
// has it, gemm_portable otherwise. Safe to call from many threads at once.
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, const T* B,
          int64_t ldb, T beta, T* C, int64_t ldc);

// The same product split over the OpenMP threads: C is cut into blocks of
// rows (when M >= N) or of columns, one gemm() per block; small products run
// as one call.
template <class T>
void gemm_parallel(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                   const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

// Plain loops (one row of C at a time, the inner loop along a contiguous row
// of B when B is not transposed): the fallback without BLAS, and an
// independent check of the BLAS path in the tests.
template <class T>
void gemm_portable(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                   const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

}  // namespace convlab::threaded
