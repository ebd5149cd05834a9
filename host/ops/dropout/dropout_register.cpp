// Registers every variant of dropout (the list and the defaults: host/ops/dropout/dropout.h).
#include "host/ops/dropout/dropout.h"

namespace convlab {

void register_dropout_ops() {
  using R = OpRegistry<DropoutImpl>;
  R::add(Device::cpu, "reference", {ref::dropout_forward, ref::dropout_backward});
  R::set_default(Device::cpu, kDropoutDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", {cuda::dropout_forward_naive, cuda::dropout_backward_naive});
  R::set_default(Device::cuda, kDropoutDefaultCuda);
#endif
}

}  // namespace convlab
