// Batchnorm pieces shared by the CPU variants (reference and fast): the
// running-statistics update of a train-mode forward, the cache of a
// test-mode forward (both on CPU tensors) and the forward around them.
#pragma once
#include "host/ops/norm/norm_check.h"

namespace convlab {

// running = momentum * running + (1 - momentum) * batch, per channel, in
// double; batch_mean and batch_var have d.C entries of x's dtype.
void update_running_stats(const char* op, const NormDims& d, BatchNormParam& param, const Tensor& batch_mean,
                          const Tensor& batch_var);

// 1 / sqrt(var + eps), elementwise, in double.
Tensor norm_inv_std(const Tensor& var, double eps);

// Test-mode cache: x, gamma, beta, eps and the running statistics as mean
// and inv_std.
NormCache batchnorm_test_cache(const Tensor& x, const Tensor& gamma, const Tensor& beta, const BatchNormParam& param);

// Batchnorm forward of a CPU variant ("variant" names it in messages): the
// checks of check_batchnorm_forward; in train mode
// train(d, x, gamma, beta, eps, &batch_var) and the running-statistics
// update; in test mode out = apply_test(cache) with the test-mode cache.
template <class Train, class ApplyTest>
Forward<NormCache> cpu_batchnorm_forward(const char* op, const char* variant, const NormDims& d, const Tensor& x,
                                         const Tensor& gamma, const Tensor& beta, BatchNormParam& param, Train&& train,
                                         ApplyTest&& apply_test) {
  check_batchnorm_forward(op, variant, Device::cpu, d, x, param);
  if (param.mode == Mode::train) {
    Tensor var;
    Forward<NormCache> fwd = train(d, x, gamma, beta, param.eps, &var);
    update_running_stats(op, d, param, fwd.cache.mean, var);
    return fwd;
  }
  NormCache cache = batchnorm_test_cache(x, gamma, beta, param);
  Tensor out = apply_test(cache);
  return {out, cache};
}

}  // namespace convlab
