// Registers every variant of max_pool (the list and the defaults: host/ops/max_pool/max_pool.h).
#include "host/ops/max_pool/max_pool.h"

namespace convlab {

void register_max_pool_ops() {
  using R = OpRegistry<MaxPoolImpl>;
  R::add(Device::cpu, "reference", {ref::max_pool_forward, ref::max_pool_backward});
  R::add(Device::cpu, "threaded", {threaded::max_pool_forward, threaded::max_pool_backward});
  R::set_default(Device::cpu, kMaxPoolDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", {cuda::max_pool_forward_naive, cuda::max_pool_backward_naive});
  R::add(Device::cuda, "argmax", {cuda::max_pool_forward_argmax, cuda::max_pool_backward_argmax});
  R::set_default(Device::cuda, kMaxPoolDefaultCuda);
#endif
}

}  // namespace convlab
