// Closed-form linear and ridge regression: exact synthetic fits, numpy's
// pinv semantics on rank-deficient data, and the seed's printed errors on
// the real housing data.
#include <gtest/gtest.h>

#include <cmath>

#include "host/fill.h"
#include "host/regression/linear_model.h"
#include "host/regression/metrics.h"
#include "host/regression/regression_data.h"
#include "host/regression/symmetric_solve.h"
#include "housing_test_data.h"

using namespace convlab;

namespace {
// y = X w + b exactly.
Tensor exact_targets(const Tensor& X, const std::vector<double>& w, double b) {
  LinearModel m{w, b};
  return m.predict(X);
}
}  // namespace

TEST(HousingSolve, JacobiEigenReconstructsTheMatrix) {
  NumpyRandom rng(7);
  const int64_t n = 9;
  const Tensor R = randn(rng, {n, n});
  std::vector<double> S(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) S[i * n + j] = R.item(i * n + j) + R.item(j * n + i);
  std::vector<double> lambda, V;
  symmetric_eigen(S, n, lambda, V);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double rec = 0, dot = 0;
      for (int64_t k = 0; k < n; ++k) {
        rec += V[i * n + k] * lambda[k] * V[j * n + k];
        dot += V[k * n + i] * V[k * n + j];
      }
      EXPECT_NEAR(rec, S[i * n + j], 1e-12);
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-12);
    }
}

TEST(HousingClosedForm, RecoversAnExactLinearFit) {
  NumpyRandom rng(0);
  const Tensor X = randn(rng, {40, 5});
  const std::vector<double> w = {1.5, -2.0, 0.25, 3.0, -0.75};
  const Tensor y = exact_targets(X, w, 4.0);
  const LinearModel m = fit_linear_regression(X, y);
  ASSERT_EQ(m.w.size(), 5u);
  for (int j = 0; j < 5; ++j) EXPECT_NEAR(m.w[j], w[j], 1e-12);
  EXPECT_NEAR(m.b, 4.0, 1e-12);
  EXPECT_LT(mean_absolute_error(m.predict(X), y), 1e-12);
  // Without an intercept the bias stays 0; float32 inputs work too.
  const Tensor y0 = exact_targets(X, w, 0.0);
  const LinearModel m0 = fit_linear_regression(X.to(DType::f32), y0, false);
  EXPECT_EQ(m0.b, 0.0);
  for (int j = 0; j < 5; ++j) EXPECT_NEAR(m0.w[j], w[j], 1e-5);
}

TEST(HousingClosedForm, RankDeficientGivesTheMinimumNormSolutionAsPinv) {
  // Columns 0 and 1 equal: pinv splits the weight 2 evenly (1, 1), the
  // minimum-norm least-squares solution.
  NumpyRandom rng(1);
  const Tensor Z = randn(rng, {30, 2});
  Tensor X({30, 3}, DType::f64);
  for (int i = 0; i < 30; ++i) {
    X.set_item(i * 3 + 0, Z.item(i * 2));
    X.set_item(i * 3 + 1, Z.item(i * 2));
    X.set_item(i * 3 + 2, Z.item(i * 2 + 1));
  }
  const Tensor y = exact_targets(X, {2.0, 0.0, -1.0}, 0.5);
  const LinearModel m = fit_linear_regression(X, y);
  EXPECT_NEAR(m.w[0], 1.0, 1e-9);
  EXPECT_NEAR(m.w[1], 1.0, 1e-9);
  EXPECT_NEAR(m.w[2], -1.0, 1e-9);
  EXPECT_NEAR(m.b, 0.5, 1e-9);
  // The inverse of the ridge does not exist at alpha = 0: a clear error.
  EXPECT_THROW(fit_ridge_regression(X, y, 0.0), Error);
  EXPECT_NO_THROW(fit_ridge_regression(X, y, 1e-3));
}

TEST(HousingClosedForm, RidgeSolvesRegularisedNormalEquationsWithBiasPenalised) {
  // One feature, closed form by hand: A = [1 x], (A^T A + a I) beta = A^T y.
  const Tensor X = Tensor::from_vector({0, 1, 2, 3}, {4, 1});
  const Tensor y = Tensor::from_vector({1, 3, 2, 5}, {4});
  const double a = 0.5;
  // A^T A = [[4, 6], [6, 14]], A^T y = [11, 22].
  const double g00 = 4 + a, g01 = 6, g11 = 14 + a, r0 = 11, r1 = 22;
  const double det = g00 * g11 - g01 * g01;
  const LinearModel m = fit_ridge_regression(X, y, a);
  EXPECT_NEAR(m.b, (g11 * r0 - g01 * r1) / det, 1e-13);
  EXPECT_NEAR(m.w[0], (g00 * r1 - g01 * r0) / det, 1e-13);
  // alpha -> 0 approaches least squares; a negative alpha is refused.
  const LinearModel ls = fit_linear_regression(X, y);
  const LinearModel r0m = fit_ridge_regression(X, y, 1e-12);
  EXPECT_NEAR(r0m.w[0], ls.w[0], 1e-9);
  EXPECT_THROW(fit_ridge_regression(X, y, -1.0), Error);
}

TEST(HousingClosedForm, ShapeErrorsAreClear) {
  const Tensor X({3, 4}, DType::f64);
  try {
    fit_linear_regression(X, Tensor({3}, DType::f64));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fewer than the 5 unknowns; use ridge_regression"), std::string::npos)
        << e.what();
  }
  try {
    fit_linear_regression(Tensor({10, 2}, DType::f64), Tensor({9}, DType::f64));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected y of shape (10,) or (10, 1), got (9,)"), std::string::npos)
        << e.what();
  }
  const LinearModel m{{1.0, 2.0}, 0.0};
  EXPECT_THROW(m.predict(X), Error);
  EXPECT_THROW(mean_absolute_error(Tensor({3}, DType::f64), Tensor({4}, DType::f64)), Error);
}

TEST(HousingClosedForm, MetricsAreMeans) {
  const Tensor p = Tensor::from_vector({1, 2, 3, 4}, {4});
  const Tensor y = Tensor::from_vector({2, 2, 1, 8}, {4, 1});
  EXPECT_DOUBLE_EQ(mean_absolute_error(p, y), (1 + 0 + 2 + 4) / 4.0);
  EXPECT_DOUBLE_EQ(mean_squared_error(p, y), (1 + 0 + 4 + 16) / 4.0);
}

// The seed prints MAE "Training error: 3.2155356251530534", "Test error:
// 3.0851717377669567" (LinearRegression) and 3.215534366263786 /
// 3.0851716338615383 (RidgeRegression(alpha=0.0001)). Least squares with an
// intercept does not change under standardisation; the ridge numbers were
// printed from the unstandardised features (numpy gives 3.2155340241 /
// 3.0851705066 with standardised ones), so both are checked.
TEST(HousingClosedForm, ReproducesTheSeedsPrintedErrors) {
  CONVLAB_REQUIRE_HOUSING(path);
  RegressionDataConfig c;
  c.path = path;
  for (bool standardize : {true, false}) {
    c.standardize = standardize;
    const RegressionSplits d = load_regression_splits(c);
    const LinearModel lr = fit_linear_regression(d.X_train, d.y_train);
    EXPECT_NEAR(mean_absolute_error(lr.predict(d.X_train), d.y_train), 3.2155356251530534, 5e-8);
    EXPECT_NEAR(mean_absolute_error(lr.predict(d.X_test), d.y_test), 3.0851717377669567, 5e-8);
    EXPECT_NEAR(mean_squared_error(lr.predict(d.X_train), d.y_train), 20.469719413028, 1e-8);
    EXPECT_NEAR(mean_absolute_error(lr.predict(d.X_val), d.y_val), 3.944008592316, 1e-9);
  }
  c.standardize = false;
  RegressionSplits raw = load_regression_splits(c);
  const LinearModel rr = fit_ridge_regression(raw.X_train, raw.y_train, 1e-4);
  EXPECT_NEAR(mean_absolute_error(rr.predict(raw.X_train), raw.y_train), 3.215534366263786, 1e-9);
  EXPECT_NEAR(mean_absolute_error(rr.predict(raw.X_test), raw.y_test), 3.0851716338615383, 1e-9);
  c.standardize = true;
  RegressionSplits std_d = load_regression_splits(c);
  const LinearModel rs = fit_ridge_regression(std_d.X_train, std_d.y_train, 1e-4);
  EXPECT_NEAR(mean_absolute_error(rs.predict(std_d.X_train), std_d.y_train), 3.2155340241, 1e-9);
  EXPECT_NEAR(mean_absolute_error(rs.predict(std_d.X_test), std_d.y_test), 3.0851705066, 1e-9);
}
