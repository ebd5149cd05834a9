// conv_relu_pool as the chain of its three ops; registered as cpu/reference
// (with the reference ops) and cuda/composed (with the default CUDA ops).
#include "host/ops/conv_relu_pool/conv_relu_pool.h"

namespace convlab {

Forward<ConvReluPoolCache> conv_relu_pool_forward_chain(const Tensor& x, const Tensor& w, const Tensor& b,
                                                        const ConvParam& conv_param, const PoolParam& pool_param,
                                                        const std::string& op_variant) {
  auto conv = conv_forward(x, w, b, conv_param, op_variant);
  auto relu = relu_forward(conv.out, op_variant);
  auto pool = max_pool_forward(relu.out, pool_param, op_variant);
  return {pool.out, ConvReluPoolCache{conv.cache, relu.cache, pool.cache, Tensor()}};
}

Grads conv_relu_pool_backward_chain(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx,
                                    const std::string& op_variant) {
  CONVLAB_CHECK(cache.relu.x.defined() && cache.pool.x.defined(),
                "conv_relu_pool_backward: the cache comes from a fused variant, which keeps no conv output; "
                "run the backward with the variant that made the cache");
  Tensor dconv = relu_backward(max_pool_backward(dout, cache.pool, op_variant), cache.relu, op_variant);
  return need_dx ? conv_backward(dconv, cache.conv, op_variant) : conv_backward_params(dconv, cache.conv, op_variant);
}

Forward<ConvReluPoolCache> conv_relu_pool_forward_composed(const Tensor& x, const Tensor& w, const Tensor& b,
                                                           const ConvParam& conv_param, const PoolParam& pool_param) {
  return conv_relu_pool_forward_chain(x, w, b, conv_param, pool_param, "");
}
Grads conv_relu_pool_backward_composed(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx) {
  return conv_relu_pool_backward_chain(dout, cache, need_dx, "");
}

namespace ref {
Forward<ConvReluPoolCache> conv_relu_pool_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                                  const ConvParam& conv_param, const PoolParam& pool_param) {
  return conv_relu_pool_forward_chain(x, w, b, conv_param, pool_param, "reference");
}
Grads conv_relu_pool_backward(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx) {
  return conv_relu_pool_backward_chain(dout, cache, need_dx, "reference");
}
}  // namespace ref

}  // namespace convlab
