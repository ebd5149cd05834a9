// The housing notebook's linear model trained by gradient descent:
// predictions X W + b, loss 0.5 * mean((X W + b - y)^2) (simple_ml's
// mean-square loss, averaged over the batch), metric mean absolute error
// (lower is better). Parameters "W" (D, 1), initially weight_scale * randn
// (zeros for weight_scale 0), and "b" (1,), zeros (absent without an intercept).
//
// It lives on the CPU: D = 13 features make a step a few hundred flops,
// far below a kernel launch's cost.
#pragma once
#include "host/random/numpy_random.h"
#include "host/regression/linear_model.h"
#include "models/model.h"

namespace convlab {

struct LinearRegressionOptions {
  int64_t input_dim = 13;
  double weight_scale = 0.0;
  bool fit_intercept = true;
  DType dtype = DType::f32;
};

class LinearRegressionModel : public Model {
 public:
  LinearRegressionModel(const LinearRegressionOptions& o, NumpyRandom& rng);

  std::string type() const override { return "linear_regression_sgd"; }
  Tensor loss(const Tensor& X, const Tensor& y) override;  // X (B, D), y (B,) or (B, 1)
  Tensor scores(const Tensor& X) override;                 // (B, 1) predictions
  std::map<std::string, Tensor> params() override;
  std::map<std::string, Tensor> grads() override;
  // W and b belong to one "affine" layer (X W + b): W the weight, b the bias.
  std::map<std::string, ParamInfo> param_info() override;
  void to(Device device) override;  // only the CPU; cuda is a clear error
  Device device() const override { return Device::cpu; }
  Metric metric() const override { return {"mae", false}; }
  double metric_sum(const Tensor& scores, const Tensor& y) const override;  // sum of |score - y|
  nlohmann::json describe() const override;

  LinearModel linear_model() const;  // the current W, b in double

 private:
  void expect_input(const char* op, const Tensor& X) const;
  LinearRegressionOptions opt_;
  Tensor W_, b_, dW_, db_;
};

}  // namespace convlab
