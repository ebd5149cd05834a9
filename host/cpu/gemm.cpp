#include "host/cpu/gemm.h"

#include <algorithm>
#include <climits>
#include <mutex>
#include <vector>

#include "host/cpu/parallel.h"
#include "host/error.h"

#ifdef CONVLAB_HAVE_BLAS
#include <cblas.h>
// OpenBLAS's own control (declared here so that any cblas.h will do).
extern "C" void openblas_set_num_threads(int num_threads);
#endif

namespace convlab::threaded {

template <class T>
void gemm_portable(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                   const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  // Row i of C: scale it by beta, then add alpha * a(i, p) * row p of op(B).
  for (int64_t i = 0; i < M; ++i) {
    T* c = C + i * ldc;
    for (int64_t j = 0; j < N; ++j) c[j] = beta == T(0) ? T(0) : beta * c[j];
    for (int64_t p = 0; p < K; ++p) {
      const T a = alpha * (trans_a ? A[p * lda + i] : A[i * lda + p]);
      if (trans_b) {
        for (int64_t j = 0; j < N; ++j) c[j] += a * B[j * ldb + p];
      } else {
        const T* b = B + p * ldb;
        for (int64_t j = 0; j < N; ++j) c[j] += a * b[j];
      }
    }
  }
}

#ifdef CONVLAB_HAVE_BLAS
namespace {

void check_blas_int(int64_t M, int64_t N, int64_t K) {
  CONVLAB_CHECK(M <= INT_MAX && N <= INT_MAX && K <= INT_MAX,
                "gemm: matrix dimensions " << M << "x" << N << "x" << K << " exceed the BLAS integer range");
}

// OpenBLAS runs each call on the calling thread; the OpenMP threads provide
// the parallelism (host/cpu/parallel.h).
void single_threaded_blas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
               const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(M), int(N), int(K),
              alpha, A, int(lda), B, int(ldb), beta, C, int(ldc));
}

void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
               const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(M), int(N), int(K),
              alpha, A, int(lda), B, int(ldb), beta, C, int(ldc));
}

}  // namespace
#endif

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, const T* B,
          int64_t ldb, T beta, T* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
#ifdef CONVLAB_HAVE_BLAS
  single_threaded_blas();
  check_blas_int(M, N, K);
  check_blas_int(lda, ldb, ldc);
  blas_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
  gemm_portable(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

// A small C with a long K (affine forward: 50 x 100 from K = 8192): the K
// range is cut into one slice per thread. Slice 0 accumulates into C with
// beta; the others into partial products that are then added in order, so
// the result does not depend on which thread finishes first.
template <class T>
void gemm_split_k(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                  const T* B, int64_t ldb, T beta, T* C, int64_t ldc, int64_t slices) {
  const int64_t slice = (K + slices - 1) / slices;
  std::vector<T> partial(static_cast<std::size_t>((slices - 1) * M * N));
  CONVLAB_OMP(parallel for schedule(static))
  for (int64_t s = 0; s < slices; ++s) {
    const int64_t k0 = s * slice, k = std::max<int64_t>(0, std::min(slice, K - k0));
    const T* a = trans_a ? A + k0 * lda : A + k0;
    const T* b = trans_b ? B + k0 : B + k0 * ldb;
    if (s == 0) {
      gemm(trans_a, trans_b, M, N, k, alpha, a, lda, b, ldb, beta, C, ldc);
    } else {
      T* p = partial.data() + (s - 1) * M * N;
      if (k == 0)
        std::fill(p, p + M * N, T(0));
      else
        gemm(trans_a, trans_b, M, N, k, alpha, a, lda, b, ldb, T(0), p, N);
    }
  }
  for (int64_t s = 1; s < slices; ++s) {
    const T* p = partial.data() + (s - 1) * M * N;
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] += p[i * N + j];
  }
}

template <class T>
void gemm_parallel(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                   const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  constexpr int64_t kMinWork = int64_t(1) << 18;  // multiply-adds worth a thread
  constexpr int64_t kAlign = 16;                  // block edges on multiples of 16 where that splits evenly
  const int64_t work = M * N * std::max<int64_t>(K, 1);
  const int64_t want = std::min<int64_t>(max_threads(), std::max<int64_t>(1, work / kMinWork));
  if (want > 1 && std::max(M, N) <= 256 && K >= 8 * std::max(M, N))
    return gemm_split_k(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, want);
  const bool by_rows = M >= N;
  const int64_t len = by_rows ? M : N;
  const int64_t even = (len + want - 1) / want;
  const int64_t aligned = (even + kAlign - 1) / kAlign * kAlign;
  // Aligned blocks unless rounding up makes the largest block much larger than an
  // even share (100 columns on 2 threads: 50 + 50, not 64 + 36).
  const int64_t block = aligned * 10 <= even * 11 ? aligned : even;
  const int64_t blocks = (len + block - 1) / block;
  if (blocks <= 1) return gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  // One block of rows (or columns) of C per task; A (or B) is read in the
  // matching slice, the other operand whole.
  CONVLAB_OMP(parallel for schedule(static))
  for (int64_t t = 0; t < blocks; ++t) {
    const int64_t lo = t * block, n = std::min(block, len - lo);
    if (by_rows)
      gemm(trans_a, trans_b, n, N, K, alpha, trans_a ? A + lo : A + lo * lda, lda, B, ldb, beta, C + lo * ldc, ldc);
    else
      gemm(trans_a, trans_b, M, n, K, alpha, A, lda, trans_b ? B + lo * ldb : B + lo, ldb, beta, C + lo, ldc);
  }
}

#define CONVLAB_INSTANTIATE_GEMM(T)                                                                                 \
  template void gemm<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t, const T*, int64_t, T, T*,      \
                        int64_t);                                                                                   \
  template void gemm_parallel<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t, const T*, int64_t, T, \
                                 T*, int64_t);                                                                      \
  template void gemm_portable<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t, const T*, int64_t, T, \
                                 T*, int64_t);
CONVLAB_INSTANTIATE_GEMM(float)
CONVLAB_INSTANTIATE_GEMM(double)
#undef CONVLAB_INSTANTIATE_GEMM

}  // namespace convlab::threaded
