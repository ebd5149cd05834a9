// Registers every variant of layernorm (the list and the defaults: host/ops/layernorm/layernorm.h).
#include "host/ops/layernorm/layernorm.h"

namespace convlab {

void register_layernorm_ops() {
  using R = OpRegistry<LayerNormImpl>;
  R::add(Device::cpu, "reference", {ref::layernorm_forward, ref::layernorm_backward});
  R::add(Device::cpu, "threaded", {threaded::layernorm_forward, threaded::layernorm_backward});
  R::set_default(Device::cpu, kLayerNormDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", cuda::layernorm_naive());
  R::add(Device::cuda, "warp", cuda::layernorm_warp());
  R::set_default(Device::cuda, kLayerNormDefaultCuda);
#endif
}

}  // namespace convlab
