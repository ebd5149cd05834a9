// Registers every variant of conv_relu_pool (the list and the defaults: host/ops/conv_relu_pool/conv_relu_pool.h).
#include "host/ops/conv_relu_pool/conv_relu_pool.h"

namespace convlab {

void register_conv_relu_pool_ops() {
  using R = OpRegistry<ConvReluPoolImpl>;
  R::add(Device::cpu, "reference", {ref::conv_relu_pool_forward, ref::conv_relu_pool_backward});
  R::add(Device::cpu, "threaded", {threaded::conv_relu_pool_forward, threaded::conv_relu_pool_backward});
  R::set_default(Device::cpu, kConvReluPoolDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "composed", {conv_relu_pool_forward_composed, conv_relu_pool_backward_composed});
  R::add(Device::cuda, "fused", {cuda::conv_relu_pool_forward_fused, cuda::conv_relu_pool_backward_fused});
  R::set_default(Device::cuda, kConvReluPoolDefaultCuda);
#endif
}

}  // namespace convlab
