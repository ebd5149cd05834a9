#include "host/gradcheck.h"

#include <algorithm>
#include <cmath>

namespace convlab {

double rel_error(const Tensor& x, const Tensor& y) {
  CONVLAB_CHECK(x.numel() == y.numel(), "rel_error: shapes " << shape_str(x.shape()) << " and " << shape_str(y.shape())
                                                             << " have different sizes");
  const auto a = x.to_vector(), b = y.to_vector();
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double e = std::abs(a[i] - b[i]) / std::max(1e-8, std::abs(a[i]) + std::abs(b[i]));
    if (std::isnan(e)) return e;  // an unwritten or NaN element must fail the check
    m = std::max(m, e);
  }
  return m;
}

Tensor eval_numerical_gradient(const std::function<double(const Tensor&)>& f, Tensor& x, double h) {
  CONVLAB_CHECK(x.device() == Device::cpu, "eval_numerical_gradient: x must be a CPU tensor");
  Tensor grad = Tensor::zeros(x.shape(), DType::f64);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double old = x.item(i);
    x.set_item(i, old + h);
    const double fxph = f(x);
    x.set_item(i, old - h);
    const double fxmh = f(x);
    x.set_item(i, old);
    grad.set_item(i, (fxph - fxmh) / (2.0 * h));
  }
  return grad;
}

Tensor eval_numerical_gradient_array(const std::function<Tensor(const Tensor&)>& f, Tensor& x, const Tensor& df,
                                     double h) {
  CONVLAB_CHECK(x.device() == Device::cpu, "eval_numerical_gradient_array: x must be a CPU tensor");
  const auto dfv = df.to_vector();
  Tensor grad = Tensor::zeros(x.shape(), DType::f64);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double old = x.item(i);
    x.set_item(i, old + h);
    const auto pos = f(x).to_vector();
    x.set_item(i, old - h);
    const auto neg = f(x).to_vector();
    x.set_item(i, old);
    CONVLAB_CHECK(pos.size() == dfv.size(),
                  "eval_numerical_gradient_array: f(x) has " << pos.size() << " elements but df has " << dfv.size());
    double s = 0.0;
    for (std::size_t k = 0; k < dfv.size(); ++k) s += (pos[k] - neg[k]) * dfv[k];
    grad.set_item(i, s / (2.0 * h));
  }
  return grad;
}

}  // namespace convlab
