// Registers every variant of layernorm (the list and the defaults: host/ops/layernorm/layernorm.h).
#include "host/ops/layernorm/layernorm.h"
#if CONVLAB_HAVE_CUDA
#include "kernels/layernorm/layernorm_cuda.h"
#endif

namespace convlab {

void register_layernorm_ops() {
  using R = OpRegistry<LayerNormImpl>;
  R::add(Device::cpu, "reference", {ref::layernorm_forward, ref::layernorm_backward});
  R::add(Device::cpu, "threaded", {threaded::layernorm_forward, threaded::layernorm_backward});
  R::set_default(Device::cpu, kLayerNormDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", cuda::layernorm_impl(cuda::NormVariant::naive));
  R::add(Device::cuda, "warp", cuda::layernorm_impl(cuda::NormVariant::warp));
  R::set_default(Device::cuda, kLayerNormDefaultCuda);
#endif
}

}  // namespace convlab
