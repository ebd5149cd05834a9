// Registers every variant of spatial_groupnorm (the list and the defaults:
// host/ops/spatial_groupnorm/spatial_groupnorm.h).
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"

namespace convlab {

void register_spatial_groupnorm_ops() {
  using R = OpRegistry<SpatialGroupNormImpl>;
  R::add(Device::cpu, "reference", {ref::spatial_groupnorm_forward, ref::spatial_groupnorm_backward});
  R::add(Device::cpu, "threaded", {threaded::spatial_groupnorm_forward, threaded::spatial_groupnorm_backward});
  R::set_default(Device::cpu, kSpatialGroupNormDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", cuda::spatial_groupnorm_naive());
  R::add(Device::cuda, "warp", cuda::spatial_groupnorm_warp());
  R::set_default(Device::cuda, kSpatialGroupNormDefaultCuda);
#endif
}

}  // namespace convlab
