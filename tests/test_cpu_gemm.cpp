// The GEMM helpers of the fast CPU ops: the BLAS call, its threaded split and
// the portable loops against a direct triple loop, for every transposition,
// with padded strides.
#include <gtest/gtest.h>

#include <vector>

#include "host/cpu/gemm.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

namespace {

template <class T>
void check(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, T beta) {
  SCOPED_TRACE(std::string(ta ? "A^T" : "A") + (tb ? " B^T " : " B ") + std::to_string(M) + "x" + std::to_string(N) +
               "x" + std::to_string(K));
  NumpyRandom rng(13);
  const int64_t lda = (ta ? M : K) + 2, ldb = (tb ? K : N) + 1, ldc = N + 3;  // padded rows
  const int64_t arows = ta ? K : M, brows = tb ? N : K;
  std::vector<T> A(arows * lda), B(brows * ldb), C(M * ldc);
  for (auto& v : A) v = T(rng.randn());
  for (auto& v : B) v = T(rng.randn());
  for (auto& v : C) v = T(rng.randn());
  std::vector<double> want(M * ldc);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      if (j >= N) {
        want[i * ldc + j] = C[i * ldc + j];  // outside the matrix: untouched
        continue;
      }
      double s = 0;
      for (int64_t p = 0; p < K; ++p)
        s += double(ta ? A[p * lda + i] : A[i * lda + p]) * double(tb ? B[j * ldb + p] : B[p * ldb + j]);
      want[i * ldc + j] = double(alpha) * s + double(beta) * C[i * ldc + j];
    }
  std::vector<T> c1 = C, c2 = C, c3 = C;
  threaded::gemm<T>(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, c1.data(), ldc);
  threaded::gemm_portable<T>(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, c2.data(), ldc);
  threaded::gemm_parallel<T>(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, c3.data(), ldc);
  const DType dt = dtype_of<T>::value;
  Tensor tw = Tensor::from_vector(want, {M, ldc}, dt);
  std::vector<double> v1(c1.begin(), c1.end()), v2(c2.begin(), c2.end()), v3(c3.begin(), c3.end());
  EXPECT_FAST_MATCHES(Tensor::from_vector(v1, {M, ldc}, dt), tw, dt, "gemm");
  EXPECT_FAST_MATCHES(Tensor::from_vector(v2, {M, ldc}, dt), tw, dt, "gemm_portable");
  EXPECT_FAST_MATCHES(Tensor::from_vector(v3, {M, ldc}, dt), tw, dt, "gemm_parallel");
}

}  // namespace

TEST(CpuFastGemm, AllTranspositionsMatchADirectLoop) {
  for (int threads : {1, 3}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    set_num_threads(threads);
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        check<float>(ta, tb, 17, 33, 9, 1.0f, 0.0f);
        check<double>(ta, tb, 17, 33, 9, 1.0, 0.0);
        check<float>(ta, tb, 5, 64, 130, 0.5f, 1.0f);
        check<double>(ta, tb, 5, 64, 130, -2.0, 0.25);
        check<double>(ta, tb, 1, 1, 1, 1.0, 1.0);
        check<float>(ta, tb, 150, 70, 120, 1.0f, 0.0f);  // split by rows in gemm_parallel
        check<double>(ta, tb, 40, 300, 90, 1.0, 0.5);    // split by columns
        check<float>(ta, tb, 20, 30, 4001, 0.5f, 1.0f);  // split along K (slices of 1334, the last shorter)
        check<double>(ta, tb, 3, 2, 700, -1.0, 0.5);     // split along K, more slices than rows
      }
  }
  set_num_threads(0);
}
