// Registers the CPU reference ("cpu/reference") of batchnorm, spatial
// batchnorm, layernorm and spatial group norm.
#include "host/ops/norm.h"

namespace convlab {

void register_cpu_reference_norm_ops() {
  OpRegistry<BatchNormImpl>::add(
      Device::cpu, "reference",
      BatchNormImpl{ref::batchnorm_forward, ref::batchnorm_backward, ref::batchnorm_backward_alt});
  OpRegistry<SpatialBatchNormImpl>::add(
      Device::cpu, "reference", SpatialBatchNormImpl{ref::spatial_batchnorm_forward, ref::spatial_batchnorm_backward});
  OpRegistry<LayerNormImpl>::add(Device::cpu, "reference",
                                 LayerNormImpl{ref::layernorm_forward, ref::layernorm_backward});
  OpRegistry<SpatialGroupNormImpl>::add(
      Device::cpu, "reference", SpatialGroupNormImpl{ref::spatial_groupnorm_forward, ref::spatial_groupnorm_backward});
}

}  // namespace convlab
