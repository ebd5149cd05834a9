// symmetric_eigen (host/cpu/symmetric_eigen.h): the cyclic Jacobi solver of
// the whitening initialisation, against known spectra and A v = l v.
#include <gtest/gtest.h>

#include <cmath>

#include "host/cpu/symmetric_eigen.h"
#include "host/error.h"
#include "host/random/numpy_random.h"

using namespace convlab;

namespace {
// max_i |A v_i - l_i v_i| and max_{i,j} |v_i . v_j - [i == j]|.
void expect_decomposes(const std::vector<double>& a, int64_t n, const SymmetricEigen& e, double tol) {
  ASSERT_EQ(static_cast<int64_t>(e.values.size()), n);
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0) {
      EXPECT_GE(e.values[i - 1], e.values[i]) << "not descending at " << i;
    }
    for (int64_t r = 0; r < n; ++r) {
      double av = 0;
      for (int64_t k = 0; k < n; ++k) av += a[r * n + k] * e.vectors[i * n + k];
      EXPECT_NEAR(av, e.values[i] * e.vectors[i * n + r], tol) << "eigenpair " << i << " row " << r;
    }
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t k = 0; k < n; ++k) dot += e.vectors[i * n + k] * e.vectors[j * n + k];
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, tol) << i << " . " << j;
    }
  }
}
}  // namespace

TEST(SymmetricEigen, TwoByTwoKnownSpectrum) {
  // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/sqrt 2 and (1, -1)/sqrt 2.
  const SymmetricEigen e = symmetric_eigen({2, 1, 1, 2}, 2);
  EXPECT_NEAR(e.values[0], 3.0, 1e-15);
  EXPECT_NEAR(e.values[1], 1.0, 1e-15);
  EXPECT_NEAR(std::fabs(e.vectors[0]), std::sqrt(0.5), 1e-15);
  EXPECT_NEAR(e.vectors[0] * e.vectors[1], 0.5, 1e-15);   // same sign
  EXPECT_NEAR(e.vectors[2] * e.vectors[3], -0.5, 1e-15);  // opposite signs
}

TEST(SymmetricEigen, DiagonalIsSortedDescending) {
  const SymmetricEigen e = symmetric_eigen({1, 0, 0, 0, 5, 0, 0, 0, -2}, 3);
  EXPECT_EQ(e.values, (std::vector<double>{5, 1, -2}));
  EXPECT_EQ(std::fabs(e.vectors[1]), 1.0);  // the 5 is coordinate 1
}

TEST(SymmetricEigen, RandomCovariancesOfSeveralSizes) {
  NumpyRandom rng(17);
  for (int64_t n : {1, 3, 12, 40}) {
    // A = B B^T / m: positive semi-definite, like a patch covariance, with a
    // spread of eigenvalues from the uneven column scales.
    const int64_t m = 2 * n + 3;
    std::vector<double> b(n * m), a(n * n, 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < m; ++k) b[i * m + k] = rng.randn() * std::pow(10.0, -double(i % 4));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t k = 0; k < m; ++k) a[i * n + j] += b[i * m + k] * b[j * m + k] / double(m);
    SCOPED_TRACE(n);
    const SymmetricEigen e = symmetric_eigen(a, n);
    expect_decomposes(a, n, e, 1e-12);
    double trace = 0, sum = 0;
    for (int64_t i = 0; i < n; ++i) trace += a[i * n + i], sum += e.values[i];
    EXPECT_NEAR(trace, sum, 1e-12 * trace);
    EXPECT_GE(e.values.back(), -1e-12);
  }
}

TEST(SymmetricEigen, BadInputIsAnError) {
  EXPECT_THROW(symmetric_eigen({1, 2, 3}, 2), Error);         // wrong size
  EXPECT_THROW(symmetric_eigen({1, 2, 3, 4}, 2), Error);      // not symmetric
  EXPECT_THROW(symmetric_eigen({1, NAN, NAN, 1}, 2), Error);  // not finite
  EXPECT_THROW(symmetric_eigen({}, 0), Error);                // empty
}
