// Registers every variant of gelu (the list and the defaults: host/ops/gelu/gelu.h).
#include "host/ops/gelu/gelu.h"

namespace convlab {

void register_gelu_ops() {
  using R = OpRegistry<GeluImpl>;
  R::add(Device::cpu, "reference", {ref::gelu_forward, ref::gelu_backward});
  R::add(Device::cpu, "threaded", {threaded::gelu_forward, threaded::gelu_backward});
  R::set_default(Device::cpu, kGeluDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", {cuda::gelu_forward_naive, cuda::gelu_backward_naive});
  R::add(Device::cuda, "vec", {cuda::gelu_forward_vec, cuda::gelu_backward_vec});
  R::set_default(Device::cuda, kGeluDefaultCuda);
#endif
}

}  // namespace convlab
