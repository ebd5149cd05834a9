#include "host/regression/linear_model.h"

#include <cmath>

#include "host/regression/normal_equations.h"
#include "host/regression/symmetric_solve.h"

namespace convlab {
namespace {

void expect_design(const char* op, const Tensor& X) {
  CONVLAB_CHECK(X.ndim() == 2, op << ": expected X of shape (n, d), got " << shape_str(X.shape()));
  CONVLAB_CHECK(X.device() == Device::cpu, op << ": expected X on the CPU");
  X.expect_float("X");
}

LinearModel from_beta(const std::vector<double>& beta, bool fit_intercept) {
  LinearModel m;
  const std::size_t off = fit_intercept ? 1 : 0;
  m.b = fit_intercept ? beta[0] : 0.0;
  m.w.assign(beta.begin() + static_cast<std::ptrdiff_t>(off), beta.end());
  return m;
}

}  // namespace

std::vector<double> regression_targets(const char* op, const Tensor& y, int64_t rows) {
  CONVLAB_CHECK((y.ndim() == 1 || (y.ndim() == 2 && y.dim(1) == 1)) && y.dim(0) == rows,
                op << ": expected y of shape (" << rows << ",) or (" << rows << ", 1), got " << shape_str(y.shape()));
  CONVLAB_CHECK(y.device() == Device::cpu, op << ": expected y on the CPU");
  y.expect_float("y");
  std::vector<double> v = y.to_vector();
  for (double t : v) CONVLAB_CHECK(std::isfinite(t), op << ": y has a non-finite value");
  return v;
}

Tensor LinearModel::predict(const Tensor& X) const {
  expect_design("LinearModel.predict", X);
  const int64_t n = X.dim(0), d = X.dim(1);
  CONVLAB_CHECK(d == static_cast<int64_t>(w.size()),
                "LinearModel.predict: model has " << w.size() << " weights, X is " << shape_str(X.shape()));
  const Tensor X64 = X.to(DType::f64);
  const double* x = X64.data<double>();
  Tensor out({n}, DType::f64);
  double* o = out.data<double>();
  for (int64_t i = 0; i < n; ++i) {
    double s = b;
    for (int64_t j = 0; j < d; ++j) s += x[i * d + j] * w[j];
    o[i] = s;
  }
  return out;
}

LinearModel fit_linear_regression(const Tensor& X, const Tensor& y, bool fit_intercept, Device device) {
  const char* op = "LinearRegression.fit";
  expect_design(op, X);
  const std::vector<double> t = regression_targets(op, y, X.dim(0));
  const int64_t m = X.dim(1) + (fit_intercept ? 1 : 0);
  // simple_ml refuses fewer samples than unknowns and points to ridge.
  CONVLAB_CHECK(X.dim(0) >= m, op << ": " << X.dim(0) << " samples are fewer than the " << m
                                  << " unknowns; use ridge_regression instead");
  const NormalEquations ne = normal_equations(X, t, fit_intercept, device);
  return from_beta(symmetric_pinv_solve(ne.G, ne.r, ne.m).x, fit_intercept);
}

LinearModel fit_ridge_regression(const Tensor& X, const Tensor& y, double alpha, bool fit_intercept, Device device) {
  const char* op = "RidgeRegression.fit";
  expect_design(op, X);
  CONVLAB_CHECK(std::isfinite(alpha) && alpha >= 0.0, op << ": alpha must be >= 0, got " << alpha);
  const std::vector<double> t = regression_targets(op, y, X.dim(0));
  NormalEquations ne = normal_equations(X, t, fit_intercept, device);
  for (int64_t p = 0; p < ne.m; ++p) ne.G[p * ne.m + p] += alpha;
  // The inverse exists for alpha > 0; the eigen-solve is exact for it and
  // reports a singular matrix (alpha = 0 on rank-deficient data) clearly.
  const PinvSolve s = symmetric_pinv_solve(ne.G, ne.r, ne.m);
  CONVLAB_CHECK(s.rank == ne.m,
                op << ": X^T X + alpha I is singular (rank " << s.rank << " of " << ne.m << "); use a larger alpha");
  return from_beta(s.x, fit_intercept);
}

}  // namespace convlab
