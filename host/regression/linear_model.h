// Linear regression y ~ X w + b on dense float64 data, solved in closed form
// as simple_ml's LinearRegression and RidgeRegression do: a column of ones
// is put in front of X (the bias is beta[0]) and
//   linear: beta = pinv(A^T A) A^T y
//   ridge:  beta = (A^T A + alpha I)^{-1} A^T y   (I covers the bias too)
// where A = [1 X] (or A = X without an intercept).
#pragma once
#include <cstdint>
#include <vector>

#include "host/tensor.h"

namespace convlab {

struct LinearModel {
  std::vector<double> w;  // one weight per feature
  double b = 0.0;         // bias (0 when fitted without an intercept)

  // X: (n, d) float32/float64 CPU tensor -> predictions (n) float64.
  Tensor predict(const Tensor& X) const;
};

// device: where A^T A and A^T y are formed (cuda: cuBLAS when a GPU is
// present, else the CPU); the small solve runs on the host in double.
LinearModel fit_linear_regression(const Tensor& X, const Tensor& y, bool fit_intercept = true,
                                  Device device = Device::cpu);
// alpha > 0; alpha = 0 is plain least squares by the inverse (an error when singular).
LinearModel fit_ridge_regression(const Tensor& X, const Tensor& y, double alpha, bool fit_intercept = true,
                                 Device device = Device::cpu);

// Targets as a vector: y of shape (n) or (n, 1), float32/float64, n = rows.
std::vector<double> regression_targets(const char* op, const Tensor& y, int64_t rows);

}  // namespace convlab
