#include "host/ops/norm/norm_running_stats.h"

#include <cmath>

namespace convlab {

void update_running_stats(const char* op, const NormDims& d, BatchNormParam& param, const Tensor& batch_mean,
                          const Tensor& batch_var) {
  dispatch_floating(param.running_mean.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const double m = param.momentum;
    T *rm = param.running_mean.data<T>(), *rv = param.running_var.data<T>();
    const T *bm = batch_mean.data<T>(), *bv = batch_var.data<T>();
    for (int64_t c = 0; c < d.C; ++c) {
      rm[c] = T(m * rm[c] + (1.0 - m) * bm[c]);
      rv[c] = T(m * rv[c] + (1.0 - m) * bv[c]);
    }
  });
}

Tensor norm_inv_std(const Tensor& var, double eps) {
  Tensor out(var.shape(), var.dtype());
  dispatch_floating(var.dtype(), "norm_inv_std", [&](auto zero) {
    using T = decltype(zero);
    const T* v = var.data<T>();
    T* o = out.data<T>();
    for (int64_t i = 0; i < var.numel(); ++i) o[i] = T(1.0 / std::sqrt(double(v[i]) + eps));
  });
  return out;
}

NormCache batchnorm_test_cache(const Tensor& x, const Tensor& gamma, const Tensor& beta, const BatchNormParam& param) {
  NormCache cache;
  cache.x = x;
  cache.gamma = gamma;
  cache.beta = beta;
  cache.eps = param.eps;
  cache.mode = Mode::test;
  cache.mean = param.running_mean.clone();
  cache.inv_std = norm_inv_std(param.running_var, param.eps);
  return cache;
}

}  // namespace convlab
