// Registers the fast CPU variants ("cpu/fast") and makes them the CPU default.
#include "host/ops/cpu_fast/fast_ops.h"

namespace convlab {

void register_cpu_fast_ops() {
  const Device cpu = Device::cpu;
  constexpr bool kDefault = true;
  OpRegistry<ConvImpl>::add(cpu, "fast", ConvImpl{fast::conv_forward, fast::conv_backward}, kDefault);
  OpRegistry<ConvReluPoolImpl>::add(
      cpu, "fast", ConvReluPoolImpl{fast::conv_relu_pool_forward, fast::conv_relu_pool_backward}, kDefault);
  OpRegistry<AffineImpl>::add(cpu, "fast", AffineImpl{fast::affine_forward, fast::affine_backward}, kDefault);
  OpRegistry<MaxPoolImpl>::add(cpu, "fast", MaxPoolImpl{fast::max_pool_forward, fast::max_pool_backward}, kDefault);
  OpRegistry<ReluImpl>::add(cpu, "fast", ReluImpl{fast::relu_forward, fast::relu_backward}, kDefault);
  OpRegistry<BatchNormImpl>::add(
      cpu, "fast", BatchNormImpl{fast::batchnorm_forward, fast::batchnorm_backward, fast::batchnorm_backward}, kDefault);
  OpRegistry<SpatialBatchNormImpl>::add(
      cpu, "fast", SpatialBatchNormImpl{fast::spatial_batchnorm_forward, fast::spatial_batchnorm_backward}, kDefault);
  OpRegistry<LayerNormImpl>::add(cpu, "fast", LayerNormImpl{fast::layernorm_forward, fast::layernorm_backward},
                                 kDefault);
  OpRegistry<SpatialGroupNormImpl>::add(
      cpu, "fast", SpatialGroupNormImpl{fast::spatial_groupnorm_forward, fast::spatial_groupnorm_backward}, kDefault);
  OpRegistry<SoftmaxLossImpl>::add(cpu, "fast", SoftmaxLossImpl{fast::softmax_loss}, kDefault);
  OpRegistry<OptimImpl>::add(cpu, "fast", OptimImpl{fast::optim_step}, kDefault);
}

}  // namespace convlab
