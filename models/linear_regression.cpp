#include "models/linear_regression.h"

#include <cmath>

#include "host/fill.h"

namespace convlab {

LinearRegressionModel::LinearRegressionModel(const LinearRegressionOptions& o, NumpyRandom& rng) : opt_(o) {
  CONVLAB_CHECK(o.input_dim >= 1, "linear_regression_sgd: input_dim must be >= 1, got " << o.input_dim);
  CONVLAB_CHECK(o.weight_scale >= 0.0, "linear_regression_sgd: weight_scale must be >= 0, got " << o.weight_scale);
  CONVLAB_CHECK(o.dtype == DType::f32 || o.dtype == DType::f64,
                "linear_regression_sgd: dtype must be float32 or float64");
  W_ = o.weight_scale > 0.0 ? randn(rng, {o.input_dim, 1}, o.dtype, o.weight_scale)
                            : Tensor::zeros({o.input_dim, 1}, o.dtype);
  dW_ = Tensor::zeros({o.input_dim, 1}, o.dtype);
  if (o.fit_intercept) {
    b_ = Tensor::zeros({1}, o.dtype);
    db_ = Tensor::zeros({1}, o.dtype);
  }
}

void LinearRegressionModel::expect_input(const char* op, const Tensor& X) const {
  CONVLAB_CHECK(X.ndim() == 2 && X.dim(1) == opt_.input_dim,
                op << ": expected X of shape (N, " << opt_.input_dim << "), got " << shape_str(X.shape()));
  CONVLAB_CHECK(X.device() == Device::cpu, op << ": expected X on the CPU");
  CONVLAB_CHECK(X.dtype() == opt_.dtype,
                op << ": expected X of dtype " << dtype_name(opt_.dtype) << ", got " << dtype_name(X.dtype()));
}

Tensor LinearRegressionModel::scores(const Tensor& X) {
  expect_input("linear_regression_sgd.scores", X);
  const int64_t N = X.dim(0), D = X.dim(1);
  Tensor out({N, 1}, X.dtype());
  dispatch_floating(X.dtype(), "linear_regression_sgd.scores", [&](auto zero) {
    using T = decltype(zero);
    const T* x = X.data<T>();
    const T* w = W_.data<T>();
    const double b = b_.defined() ? b_.data<T>()[0] : 0.0;
    T* o = out.data<T>();
    for (int64_t i = 0; i < N; ++i) {
      double s = b;
      for (int64_t j = 0; j < D; ++j) s += static_cast<double>(x[i * D + j]) * w[j];
      o[i] = static_cast<T>(s);
    }
  });
  return out;
}

Tensor LinearRegressionModel::loss(const Tensor& X, const Tensor& y) {
  const char* op = "linear_regression_sgd.loss";
  expect_input(op, X);
  const int64_t N = X.dim(0), D = X.dim(1);
  CONVLAB_CHECK(N >= 1, op << ": empty batch");
  const std::vector<double> t = regression_targets(op, y, N);
  const Tensor s = scores(X);
  double loss = 0.0;
  dispatch_floating(X.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const T* x = X.data<T>();
    const T* p = s.data<T>();
    std::vector<double> gw(static_cast<std::size_t>(D), 0.0);
    double gb = 0.0;
    for (int64_t i = 0; i < N; ++i) {
      const double r = static_cast<double>(p[i]) - t[i];
      loss += r * r;
      gb += r;
      for (int64_t j = 0; j < D; ++j) gw[j] += r * x[i * D + j];
    }
    T* dw = dW_.data<T>();
    for (int64_t j = 0; j < D; ++j) dw[j] = static_cast<T>(gw[j] / N);
    if (db_.defined()) db_.data<T>()[0] = static_cast<T>(gb / N);
  });
  return Tensor::scalar(0.5 * loss / N, X.dtype());
}

double LinearRegressionModel::metric_sum(const Tensor& scores, const Tensor& y) const {
  const Tensor s = scores.to(Device::cpu);
  const int64_t N = s.ndim() >= 1 ? s.dim(0) : 0;
  const std::vector<double> p = regression_targets("mean_absolute_error", s, N);
  const std::vector<double> t = regression_targets("mean_absolute_error", y.to(Device::cpu), N);
  double sum = 0.0;
  for (int64_t i = 0; i < N; ++i) sum += std::abs(p[i] - t[i]);
  return sum;
}

std::map<std::string, ParamInfo> LinearRegressionModel::param_info() {
  std::map<std::string, ParamInfo> out;
  for (const auto& kv : params()) out[kv.first] = {"affine", param_role(kv.first)};
  return out;
}

std::map<std::string, Tensor> LinearRegressionModel::params() {
  std::map<std::string, Tensor> p = {{"W", W_}};
  if (b_.defined()) p["b"] = b_;
  return p;
}

std::map<std::string, Tensor> LinearRegressionModel::grads() {
  std::map<std::string, Tensor> g = {{"W", dW_}};
  if (db_.defined()) g["b"] = db_;
  return g;
}

void LinearRegressionModel::to(Device device) {
  CONVLAB_CHECK(device == Device::cpu, "linear_regression_sgd: the model runs on the CPU only");
}

nlohmann::json LinearRegressionModel::describe() const {
  return {{"type", type()},
          {"input_dim", opt_.input_dim},
          {"weight_scale", opt_.weight_scale},
          {"fit_intercept", opt_.fit_intercept},
          {"dtype", dtype_name(opt_.dtype)}};
}

LinearModel LinearRegressionModel::linear_model() const {
  LinearModel m;
  m.w = W_.to_vector();
  m.b = b_.defined() ? b_.item(0) : 0.0;
  return m;
}

}  // namespace convlab
