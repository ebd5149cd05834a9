// Small dense symmetric solves in double for the closed-form regressions:
// the normal equations (A^T A + alpha I) x = A^T y have one row per feature
// (14 for housing), so a careful O(n^3) method on the host is exact enough
// and needs no library.
#pragma once
#include <cstdint>
#include <vector>

namespace convlab {

// Eigen-decomposition of a symmetric n x n row-major matrix by the cyclic
// Jacobi method: on return `values` holds the eigenvalues and the columns of
// `vectors` (row-major n x n) the orthonormal eigenvectors.
void symmetric_eigen(const std::vector<double>& S, int64_t n, std::vector<double>& values,
                     std::vector<double>& vectors);

struct PinvSolve {
  std::vector<double> x;  // pinv(S) b
  int64_t rank = 0;       // eigenvalues kept (|lambda| > rcond * max |lambda|)
};

// x = pinv(S) b with numpy.linalg.pinv's cut-off: eigenvalues (= singular
// values for a symmetric positive semi-definite S) at or below
// rcond * max |lambda| count as zero.
PinvSolve symmetric_pinv_solve(const std::vector<double>& S, const std::vector<double>& b, int64_t n,
                               double rcond = 1e-15);

}  // namespace convlab
