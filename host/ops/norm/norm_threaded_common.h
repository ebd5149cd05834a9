// The arithmetic shared by the fast CPU normalisation ops (batchnorm,
// spatial batchnorm, layernorm, spatial group norm). Each op validates its
// arguments into a NormDims view (host/ops/norm/norm_check.h) and calls these.
//
// Parallel decomposition: x is a sequence of runs of B contiguous elements,
// one run per (a, c). A task owns whole groups, so every reduction stays
// inside one thread: per_channel ops split the channels into blocks (a task
// walks all A rows of its block, reading runs of cb * B contiguous elements),
// grouped ops give each (a, g) group - one contiguous span - to a task.
// Reductions accumulate in double (vectorised with omp simd); the elementwise
// passes run in the tensor's type.
#pragma once
#include "host/ops/norm/norm_check.h"

namespace convlab::threaded {

// Train-mode forward with batch statistics (cache: x, gamma, beta, mean,
// inv_std, eps, groups). When var is given it receives the biased variance.
Forward<NormCache> norm_forward_train(const NormDims& d, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      double eps, Tensor* var = nullptr);

// Batchnorm forward (plain and spatial): batch statistics and running-average
// update in train mode, running statistics in test mode.
Forward<NormCache> batchnorm_forward_any(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                         const Tensor& beta, BatchNormParam& param);

// dx, dgamma, dbeta in closed form: dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
// dxhat = dout * gamma; in test mode (fixed statistics) dx = dout * gamma * inv_std.
NormGrads norm_backward(const NormDims& d, const Tensor& dout, const NormCache& cache);

}  // namespace convlab::threaded
