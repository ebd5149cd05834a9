// CUDA spatial batchnorm (N, C, H, W): the (N, C, H*W) case of the
// channel-norm kernels, working on NCHW directly (no transposes).
#include "kernels/norm/norm_impls.h"

namespace convlab::cuda_norm {

namespace {

template <Variant V>
Forward<NormCache> forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param) {
  const char* op = "spatial_batchnorm_forward";
  return channel_norm_forward(op, spatial_batchnorm_dims(op, x, gamma, beta), x, gamma, beta, param, V);
}

template <Variant V>
Grads3 backward(const Tensor& dout, const NormCache& cache) {
  const char* op = "spatial_batchnorm_backward";
  return channel_norm_backward(op, spatial_batchnorm_dims(op, cache.x, cache.gamma, cache.beta), dout, cache, V,
                               false);
}

}  // namespace

SpatialBatchNormImpl spatial_batchnorm_impl(Variant v) {
  if (v == Variant::fast) return {forward<Variant::fast>, backward<Variant::fast>};
  return {forward<Variant::naive>, backward<Variant::naive>};
}

}  // namespace convlab::cuda_norm
