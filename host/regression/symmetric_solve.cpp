#include "host/regression/symmetric_solve.h"

#include <algorithm>
#include <cmath>

#include "host/error.h"

namespace convlab {

void symmetric_eigen(const std::vector<double>& S, int64_t n, std::vector<double>& values,
                     std::vector<double>& vectors) {
  CONVLAB_CHECK(n >= 1 && static_cast<int64_t>(S.size()) == n * n,
                "symmetric_eigen: expected an n x n matrix, got " << S.size() << " values for n = " << n);
  std::vector<double> A = S;
  vectors.assign(static_cast<std::size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i) vectors[i * n + i] = 1.0;
  auto at = [n](std::vector<double>& M, int64_t r, int64_t c) -> double& { return M[r * n + c]; };

  double total = 0.0;
  for (double v : A) total += v * v;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) off += at(A, p, q) * at(A, p, q);
    if (off == 0.0 || off <= 1e-32 * total) break;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = at(A, p, q);
        if (apq == 0.0) continue;
        // Rotation in the (p, q) plane that zeroes A[p][q]: t = tan(angle),
        // the smaller root of t^2 + 2 theta t - 1 = 0 (stable for any theta).
        const double theta = (at(A, q, q) - at(A, p, p)) / (2.0 * apq);
        const double t = std::abs(theta) > 1e150
                             ? 1.0 / (2.0 * theta)
                             : std::copysign(1.0, theta) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // columns p, q of A and V
          const double akp = at(A, k, p), akq = at(A, k, q);
          at(A, k, p) = c * akp - s * akq;
          at(A, k, q) = s * akp + c * akq;
          const double vkp = at(vectors, k, p), vkq = at(vectors, k, q);
          at(vectors, k, p) = c * vkp - s * vkq;
          at(vectors, k, q) = s * vkp + c * vkq;
        }
        for (int64_t k = 0; k < n; ++k) {  // rows p, q of A
          const double apk = at(A, p, k), aqk = at(A, q, k);
          at(A, p, k) = c * apk - s * aqk;
          at(A, q, k) = s * apk + c * aqk;
        }
      }
  }
  values.resize(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[i] = at(A, i, i);
}

PinvSolve symmetric_pinv_solve(const std::vector<double>& S, const std::vector<double>& b, int64_t n, double rcond) {
  CONVLAB_CHECK(static_cast<int64_t>(b.size()) == n,
                "symmetric_pinv_solve: right-hand side has " << b.size() << " values, expected " << n);
  for (double v : S) CONVLAB_CHECK(std::isfinite(v), "symmetric_pinv_solve: matrix has a non-finite entry");
  std::vector<double> lambda, V;
  symmetric_eigen(S, n, lambda, V);
  double max_abs = 0.0;
  for (double l : lambda) max_abs = std::max(max_abs, std::abs(l));
  const double cutoff = rcond * max_abs;
  PinvSolve out;
  out.x.assign(static_cast<std::size_t>(n), 0.0);
  for (int64_t k = 0; k < n; ++k) {
    if (!(std::abs(lambda[k]) > cutoff)) continue;
    ++out.rank;
    double proj = 0.0;  // v_k . b
    for (int64_t i = 0; i < n; ++i) proj += V[i * n + k] * b[i];
    proj /= lambda[k];
    for (int64_t i = 0; i < n; ++i) out.x[i] += proj * V[i * n + k];
  }
  return out;
}

}  // namespace convlab
