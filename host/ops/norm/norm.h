// Normalisation layers: batchnorm (N, D), spatial_batchnorm (N, C, H, W),
// layernorm (N, D), spatial_groupnorm (N, C, H, W) with G groups.
// All keep the same cache (input, parameters, per-group mean and 1/std) so the
// variants of one op can share it; gamma/beta have one entry per feature/channel.
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
// with them (ref:: below, fast:: in host/ops/cpu_fast/fast_ops.h).
using BatchNormForwardFn = Forward<NormCache>(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                              BatchNormParam& param);
using LayerNormForwardFn = Forward<NormCache>(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                              const LayerNormParam& param);
using GroupNormForwardFn = Forward<NormCache>(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                              const GroupNormParam& param);
using NormBackwardFn = Grads3(const Tensor& dout, const NormCache& cache);  // dx, dgamma, dbeta

struct BatchNormImpl {
  static constexpr const char* name = "batchnorm";
  BatchNormForwardFn* forward;
  NormBackwardFn* backward;
  NormBackwardFn* backward_alt;  // simplified closed form
};

struct SpatialBatchNormImpl {
  static constexpr const char* name = "spatial_batchnorm";
  BatchNormForwardFn* forward;
  NormBackwardFn* backward;
};

struct LayerNormImpl {
  static constexpr const char* name = "layernorm";
  LayerNormForwardFn* forward;
  NormBackwardFn* backward;
};

struct SpatialGroupNormImpl {
  static constexpr const char* name = "spatial_groupnorm";
  GroupNormForwardFn* forward;
  NormBackwardFn* backward;
};

inline Forward<NormCache> batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                            BatchNormParam& param, const std::string& variant = "") {
  return OpRegistry<BatchNormImpl>::get(x.device(), variant).forward(x, gamma, beta, param);
}
inline Grads3 batchnorm_backward(const Tensor& dout, const NormCache& cache, const std::string& variant = "") {
  return OpRegistry<BatchNormImpl>::get(dout.device(), variant).backward(dout, cache);
}
inline Grads3 batchnorm_backward_alt(const Tensor& dout, const NormCache& cache, const std::string& variant = "") {
  return OpRegistry<BatchNormImpl>::get(dout.device(), variant).backward_alt(dout, cache);
}
inline Forward<NormCache> spatial_batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                    BatchNormParam& param, const std::string& variant = "") {
  return OpRegistry<SpatialBatchNormImpl>::get(x.device(), variant).forward(x, gamma, beta, param);
}
inline Grads3 spatial_batchnorm_backward(const Tensor& dout, const NormCache& cache, const std::string& variant = "") {
  return OpRegistry<SpatialBatchNormImpl>::get(dout.device(), variant).backward(dout, cache);
}
inline Forward<NormCache> layernorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                            const LayerNormParam& param, const std::string& variant = "") {
  return OpRegistry<LayerNormImpl>::get(x.device(), variant).forward(x, gamma, beta, param);
}
inline Grads3 layernorm_backward(const Tensor& dout, const NormCache& cache, const std::string& variant = "") {
  return OpRegistry<LayerNormImpl>::get(dout.device(), variant).backward(dout, cache);
}
inline Forward<NormCache> spatial_groupnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                    const GroupNormParam& param, const std::string& variant = "") {
  return OpRegistry<SpatialGroupNormImpl>::get(x.device(), variant).forward(x, gamma, beta, param);
}
inline Grads3 spatial_groupnorm_backward(const Tensor& dout, const NormCache& cache, const std::string& variant = "") {
  return OpRegistry<SpatialGroupNormImpl>::get(dout.device(), variant).backward(dout, cache);
}

namespace ref {
BatchNormForwardFn batchnorm_forward, spatial_batchnorm_forward;
LayerNormForwardFn layernorm_forward;
GroupNormForwardFn spatial_groupnorm_forward;
NormBackwardFn batchnorm_backward, batchnorm_backward_alt, spatial_batchnorm_backward, layernorm_backward,
    spatial_groupnorm_backward;
}  // namespace ref

}  // namespace convlab
