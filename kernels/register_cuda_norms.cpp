// Registers the CUDA variants ("cuda/<variant>") of the normalisation ops and
// the update rules; the fast variant of each is the default.
#include "kernels/norm/norm_impls.h"
#include "kernels/optim/optim_impls.h"

namespace convlab {

void register_cuda_norm_ops() {
  using cuda_norm::Variant;
  OpRegistry<BatchNormImpl>::add(Device::cuda, "naive", cuda_norm::batchnorm_impl(Variant::naive));
  OpRegistry<BatchNormImpl>::add(Device::cuda, "fast", cuda_norm::batchnorm_impl(Variant::fast), true);
  OpRegistry<SpatialBatchNormImpl>::add(Device::cuda, "naive", cuda_norm::spatial_batchnorm_impl(Variant::naive));
  OpRegistry<SpatialBatchNormImpl>::add(Device::cuda, "fast", cuda_norm::spatial_batchnorm_impl(Variant::fast), true);
  OpRegistry<LayerNormImpl>::add(Device::cuda, "naive", cuda_norm::layernorm_impl(Variant::naive));
  OpRegistry<LayerNormImpl>::add(Device::cuda, "fast", cuda_norm::layernorm_impl(Variant::fast), true);
  OpRegistry<SpatialGroupNormImpl>::add(Device::cuda, "naive", cuda_norm::spatial_groupnorm_impl(Variant::naive));
  OpRegistry<SpatialGroupNormImpl>::add(Device::cuda, "fast", cuda_norm::spatial_groupnorm_impl(Variant::fast), true);
  OpRegistry<OptimImpl>::add(Device::cuda, "naive", OptimImpl{cuda_optim::optim_step_naive});
  OpRegistry<OptimImpl>::add(Device::cuda, "multi_tensor", OptimImpl{cuda_optim::optim_step_multi_tensor}, true);
}

}  // namespace convlab
