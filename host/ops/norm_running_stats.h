// Batchnorm pieces shared by the CPU variants (reference and fast): the
// running-statistics update of a train-mode forward and the cache of a
// test-mode forward, both on CPU tensors.
#pragma once
#include "host/ops/norm_dims.h"

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

}  // namespace convlab
