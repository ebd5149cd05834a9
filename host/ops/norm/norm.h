// What the normalisation ops share: batchnorm (N, D), spatial_batchnorm
// (N, C, H, W), layernorm (N, D), spatial_groupnorm (N, C, H, W) with G groups,
// each in its own folder (host/ops/batchnorm/ ...). All keep the same cache
// (input, parameters, per-group mean and 1/std) so the variants of one op can
// share it; gamma/beta have one entry per feature/channel.
#pragma once
#include "host/ops/common.h"

namespace convlab {

struct BatchNormParam {
  Mode mode = Mode::train;
  double eps = 1e-5;
  double momentum = 0.9;
  // Updated in train mode: running = momentum * running + (1 - momentum) * batch.
  // Created as zeros (shape (D,) or (C,), dtype and device of x) when empty.
  // running_var holds the biased batch variance, as cs231n.
  Tensor running_mean, running_var;
};

struct LayerNormParam {
  double eps = 1e-5;
};

struct GroupNormParam {
  int G = 1;  // number of groups; must divide C
  double eps = 1e-5;
};

struct NormCache {
  Tensor x, gamma, beta;
  Tensor mean, inv_std;  // one per normalised group: (D,) / (C,) for BN, (N,) for LN, (N*G,) for GN
  double eps = 1e-5;
  int groups = 1;
  Mode mode = Mode::train;
};

// The function types of the ops; every variant's entry points are declared
// with them (in each op's header).
using BatchNormForwardFn = Forward<NormCache>(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                              BatchNormParam& param);
using LayerNormForwardFn = Forward<NormCache>(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                              const LayerNormParam& param);
using GroupNormForwardFn = Forward<NormCache>(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                              const GroupNormParam& param);
using NormBackwardFn = NormGrads(const Tensor& dout, const NormCache& cache);  // dx, dgamma, dbeta

}  // namespace convlab
