// Registers every variant of optim (the list and the defaults: host/ops/optim/optim.h).
#include "host/ops/optim/optim.h"

namespace convlab {

void register_optim_ops() {
  using R = OpRegistry<OptimImpl>;
  R::add(Device::cpu, "reference", {ref::optim_step});
  R::add(Device::cpu, "threaded", {threaded::optim_step});
  R::set_default(Device::cpu, kOptimDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", {cuda::optim_step_naive});
  R::add(Device::cuda, "multi_tensor", {cuda::optim_step_multi_tensor});
  R::set_default(Device::cuda, kOptimDefaultCuda);
#endif
}

}  // namespace convlab
