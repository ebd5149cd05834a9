// Registers every variant of scale (the list and the defaults: host/ops/scale/scale.h).
#include "host/ops/scale/scale.h"

namespace convlab {

void register_scale_ops() {
  using R = OpRegistry<ScaleImpl>;
  R::add(Device::cpu, "reference", {ref::scale_apply});
  R::set_default(Device::cpu, kScaleDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", {cuda::scale_apply_naive});
  R::set_default(Device::cuda, kScaleDefaultCuda);
#endif
}

}  // namespace convlab
