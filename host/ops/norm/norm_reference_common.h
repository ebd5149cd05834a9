// The arithmetic shared by the CPU references of batchnorm, spatial
// batchnorm, layernorm and spatial group norm: each op only validates its
// arguments into a NormDims view (host/ops/norm/norm_check.h) and calls these.
// Sums are accumulated in double for float and double tensors alike.
#pragma once
#include "host/ops/norm/norm_check.h"
#include "host/ops/norm/norm_running_stats.h"

namespace convlab::ref {

// Per-group batch statistics of x: mean and biased variance, shapes (num_groups,).
void norm_statistics(const NormDims& d, const Tensor& x, Tensor& mean, Tensor& var);

// out = gamma[c] * (x - mean[g]) / sqrt(var[g] + eps) + beta[c], in numpy's
// order of operations (dividing by the standard deviation).
Tensor norm_apply(const NormDims& d, const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                  const Tensor& var, double eps);

// Train-mode forward with batch statistics; the cache holds x, gamma, beta,
// mean and inv_std. When var is given it receives the biased variance.
Forward<NormCache> norm_forward_train(const NormDims& d, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      double eps, Tensor* var = nullptr);

// Batchnorm forward (plain and spatial): train mode normalises with the batch
// statistics and updates param's running averages; test mode uses them.
Forward<NormCache> batchnorm_forward_any(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                         const Tensor& beta, BatchNormParam& param);

// Closed-form backward: dx = inv_std / M * (M * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)),
// dxhat = dout * gamma, M = group size. In test mode (fixed statistics) dx = dout * gamma * inv_std.
NormGrads norm_backward_closed(const NormDims& d, const Tensor& dout, const NormCache& cache);

// The same gradient by backpropagating through the forward graph step by step
// (x - mu, 1/sqrt(var + eps), xhat, gamma * xhat + beta), as cs231n's batchnorm_backward.
NormGrads norm_backward_graph(const NormDims& d, const Tensor& dout, const NormCache& cache);

}  // namespace convlab::ref
