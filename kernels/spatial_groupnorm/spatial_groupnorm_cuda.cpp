// CUDA spatial group norm (N, C, H, W) with G groups: statistics per sample
// and group over (C/G, H, W), on NCHW directly.
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda {

namespace {

template <NormVariant V>
Forward<NormCache> forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, const GroupNormParam& param) {
  const char* op = "spatial_groupnorm_forward";
  return group_norm_forward(op, spatial_groupnorm_dims(op, x, gamma, beta, param.G), x, gamma, beta, param.eps, V);
}

template <NormVariant V>
NormGrads backward(const Tensor& dout, const NormCache& cache) {
  const char* op = "spatial_groupnorm_backward";
  return group_norm_backward(op, spatial_groupnorm_dims(op, cache.x, cache.gamma, cache.beta, cache.groups), dout,
                             cache, V);
}

}  // namespace

SpatialGroupNormImpl spatial_groupnorm_naive() { return {forward<NormVariant::naive>, backward<NormVariant::naive>}; }

SpatialGroupNormImpl spatial_groupnorm_warp() { return {forward<NormVariant::warp>, backward<NormVariant::warp>}; }

}  // namespace convlab::cuda
