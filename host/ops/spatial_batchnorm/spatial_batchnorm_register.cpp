// Registers every variant of spatial_batchnorm (the list and the defaults:
// host/ops/spatial_batchnorm/spatial_batchnorm.h).
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"

namespace convlab {

void register_spatial_batchnorm_ops() {
  using R = OpRegistry<SpatialBatchNormImpl>;
  R::add(Device::cpu, "reference", {ref::spatial_batchnorm_forward, ref::spatial_batchnorm_backward});
  R::add(Device::cpu, "threaded", {threaded::spatial_batchnorm_forward, threaded::spatial_batchnorm_backward});
  R::set_default(Device::cpu, kSpatialBatchNormDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", cuda::spatial_batchnorm_naive());
  R::add(Device::cuda, "warp", cuda::spatial_batchnorm_warp());
  R::set_default(Device::cuda, kSpatialBatchNormDefaultCuda);
#endif
}

}  // namespace convlab
