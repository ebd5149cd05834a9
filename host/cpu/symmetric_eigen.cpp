#include "host/cpu/symmetric_eigen.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "host/error.h"

namespace convlab {

SymmetricEigen symmetric_eigen(const std::vector<double>& a_in, int64_t n) {
  CONVLAB_CHECK(
      n >= 1 && static_cast<int64_t>(a_in.size()) == n * n,
      "symmetric_eigen: expected an n x n matrix with n >= 1, got " << a_in.size() << " elements for n = " << n);
  std::vector<double> a = a_in;
  auto at = [&](int64_t i, int64_t j) -> double& { return a[i * n + j]; };
  double norm = 0, amax = 0;
  for (double v : a) {
    CONVLAB_CHECK(std::isfinite(v), "symmetric_eigen: the matrix has a non-finite element");
    norm += v * v;
    amax = std::max(amax, std::fabs(v));
  }
  norm = std::sqrt(norm);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      CONVLAB_CHECK(std::fabs(at(i, j) - at(j, i)) <= 1e-12 * amax,
                    "symmetric_eigen: the matrix is not symmetric at (" << i << ", " << j << ")");
  // v: columns are the eigenvectors of the rotated-away matrix (V^T A V = D).
  std::vector<double> v(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i) v[i * n + i] = 1;
  const double tol = 1e-15 * norm * static_cast<double>(n);
  auto off_norm = [&]() {
    double off = 0;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) off += at(p, q) * at(p, q);
    return std::sqrt(off);
  };
  bool converged = false;
  for (int sweep = 0; sweep < 100 && !(converged = off_norm() <= tol); ++sweep) {
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = at(p, q);
        // Below the rounding of the diagonal: zero it without a rotation (so that
        // the off-diagonal norm can reach the tolerance).
        if (std::fabs(apq) <= 1e-18 * (std::fabs(at(p, p)) + std::fabs(at(q, q))) || std::fabs(apq) <= 1e-300) {
          at(p, q) = at(q, p) = 0;
          continue;
        }
        // The rotation angle that zeroes (p, q): t = tan(theta), the smaller root.
        const double theta = (at(q, q) - at(p, p)) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // A <- A J (columns p, q)
          const double akp = at(k, p), akq = at(k, q);
          at(k, p) = c * akp - s * akq;
          at(k, q) = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) {  // A <- J^T A (rows p, q)
          const double apk = at(p, k), aqk = at(q, k);
          at(p, k) = c * apk - s * aqk;
          at(q, k) = s * apk + c * aqk;
        }
        at(p, q) = at(q, p) = 0;
        for (int64_t k = 0; k < n; ++k) {  // V <- V J
          const double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  // Jacobi converges quadratically: a handful of sweeps; 100 not enough means non-finite trouble.
  CONVLAB_CHECK(converged || off_norm() <= tol, "symmetric_eigen: no convergence after 100 sweeps (n = " << n << ")");
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return at(i, i) > at(j, j); });
  SymmetricEigen e;
  e.values.resize(n);
  e.vectors.resize(n * n);
  for (int64_t r = 0; r < n; ++r) {
    const int64_t i = order[r];
    e.values[r] = at(i, i);
    for (int64_t k = 0; k < n; ++k) e.vectors[r * n + k] = v[k * n + i];
  }
  return e;
}

}  // namespace convlab
