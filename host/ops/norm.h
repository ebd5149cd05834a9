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

struct BatchNormImpl {
  static constexpr const char* name = "batchnorm";
  Forward<NormCache> (*forward)(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param);
  Grads3 (*backward)(const Tensor& dout, const NormCache& cache);      // dx, dgamma, dbeta
  Grads3 (*backward_alt)(const Tensor& dout, const NormCache& cache);  // simplified closed form
};

struct SpatialBatchNormImpl {
  static constexpr const char* name = "spatial_batchnorm";
  Forward<NormCache> (*forward)(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param);
  Grads3 (*backward)(const Tensor& dout, const NormCache& cache);
};

struct LayerNormImpl {
  static constexpr const char* name = "layernorm";
  Forward<NormCache> (*forward)(const Tensor& x, const Tensor& gamma, const Tensor& beta, const LayerNormParam& param);
  Grads3 (*backward)(const Tensor& dout, const NormCache& cache);
};

struct SpatialGroupNormImpl {
  static constexpr const char* name = "spatial_groupnorm";
  Forward<NormCache> (*forward)(const Tensor& x, const Tensor& gamma, const Tensor& beta, const GroupNormParam& param);
  Grads3 (*backward)(const Tensor& dout, const NormCache& cache);
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
Forward<NormCache> batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param);
Grads3 batchnorm_backward(const Tensor& dout, const NormCache& cache);
Grads3 batchnorm_backward_alt(const Tensor& dout, const NormCache& cache);
Forward<NormCache> spatial_batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                             BatchNormParam& param);
Grads3 spatial_batchnorm_backward(const Tensor& dout, const NormCache& cache);
Forward<NormCache> layernorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                     const LayerNormParam& param);
Grads3 layernorm_backward(const Tensor& dout, const NormCache& cache);
Forward<NormCache> spatial_groupnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                             const GroupNormParam& param);
Grads3 spatial_groupnorm_backward(const Tensor& dout, const NormCache& cache);
}  // namespace ref

}  // namespace convlab
