// CUDA spatial batchnorm (N, C, H, W): the (N, C, H*W) case of the
// channel-norm kernels, working on NCHW directly (no transposes).
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda {

namespace {

template <NormVariant V>
Forward<NormCache> forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param) {
  const char* op = "spatial_batchnorm_forward";
  return channel_norm_forward(op, spatial_batchnorm_dims(op, x, gamma, beta), x, gamma, beta, param, V);
}

template <NormVariant V>
NormGrads backward(const Tensor& dout, const NormCache& cache) {
  const char* op = "spatial_batchnorm_backward";
  return channel_norm_backward(op, spatial_batchnorm_dims(op, cache.x, cache.gamma, cache.beta), dout, cache, V, false);
}

}  // namespace

SpatialBatchNormImpl spatial_batchnorm_naive() { return {forward<NormVariant::naive>, backward<NormVariant::naive>}; }

SpatialBatchNormImpl spatial_batchnorm_warp() { return {forward<NormVariant::warp>, backward<NormVariant::warp>}; }

}  // namespace convlab::cuda
