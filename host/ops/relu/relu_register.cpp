// Registers every variant of relu (the list and the defaults: host/ops/relu/relu.h).
#include "host/ops/relu/relu.h"

namespace convlab {

void register_relu_ops() {
  using R = OpRegistry<ReluImpl>;
  R::add(Device::cpu, "reference", {ref::relu_forward, ref::relu_backward});
  R::add(Device::cpu, "threaded", {threaded::relu_forward, threaded::relu_backward});
  R::set_default(Device::cpu, kReluDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", {cuda::relu_forward_naive, cuda::relu_backward_naive});
  R::set_default(Device::cuda, kReluDefaultCuda);
#endif
}

}  // namespace convlab
