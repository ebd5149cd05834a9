#include "host/data/standardizer.h"

#include <cmath>

namespace convlab {

void Standardizer::fit(const Tensor& X) {
  CONVLAB_CHECK(X.ndim() == 2, "Standardizer.fit: expected X of shape (n, d), got " << shape_str(X.shape()));
  CONVLAB_CHECK(X.device() == Device::cpu, "Standardizer.fit: expected a CPU tensor");
  const int64_t n = X.dim(0), d = X.dim(1);
  CONVLAB_CHECK(n >= 2, "Standardizer.fit: X must contain at least 2 samples, got " << shape_str(X.shape()));
  std::vector<double> mean(d, 0.0), var(d, 0.0);
  dispatch_floating(X.dtype(), "Standardizer.fit", [&](auto zero) {
    using T = decltype(zero);
    const T* x = X.data<T>();
    // Two passes (mean, then squared deviations) as numpy's mean and std.
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < d; ++j) mean[j] += x[i * d + j];
    for (int64_t j = 0; j < d; ++j) mean[j] /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < d; ++j) {
        const double dev = x[i * d + j] - mean[j];
        var[j] += dev * dev;
      }
  });
  for (int64_t j = 0; j < d; ++j) var[j] = std::sqrt(var[j] / static_cast<double>(n));
  mean_ = std::move(mean);
  std_ = std::move(var);
}

Tensor Standardizer::apply(const Tensor& X, bool inverse) const {
  const char* op = inverse ? "Standardizer.inverse_transform" : "Standardizer.transform";
  CONVLAB_CHECK(fitted(), op << ": call fit first");
  const auto d = static_cast<int64_t>(mean_.size());
  CONVLAB_CHECK(X.ndim() == 2 && X.dim(1) == d,
                op << ": expected X of shape (n, " << d << "), got " << shape_str(X.shape()));
  CONVLAB_CHECK(X.device() == Device::cpu, op << ": expected a CPU tensor");
  Tensor out(X.shape(), X.dtype());
  dispatch_floating(X.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const T* x = X.data<T>();
    T* z = out.data<T>();
    const int64_t n = X.dim(0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < d; ++j) {
        const double s = std_[j] > 0.0 ? std_[j] : 1.0;
        const double v = x[i * d + j];
        z[i * d + j] = static_cast<T>(inverse ? v * s + mean_[j] : (v - mean_[j]) / s);
      }
  });
  return out;
}

Tensor Standardizer::transform(const Tensor& X) const { return apply(X, false); }
Tensor Standardizer::inverse_transform(const Tensor& Z) const { return apply(Z, true); }

}  // namespace convlab
