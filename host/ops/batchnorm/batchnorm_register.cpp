// Registers every variant of batchnorm (the list and the defaults: host/ops/batchnorm/batchnorm.h).
#include "host/ops/batchnorm/batchnorm.h"

namespace convlab {

void register_batchnorm_ops() {
  using R = OpRegistry<BatchNormImpl>;
  R::add(Device::cpu, "reference", {ref::batchnorm_forward, ref::batchnorm_backward, ref::batchnorm_backward_alt});
  R::add(Device::cpu, "threaded",
         {threaded::batchnorm_forward, threaded::batchnorm_backward, threaded::batchnorm_backward});
  R::set_default(Device::cpu, kBatchNormDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", cuda::batchnorm_naive());
  R::add(Device::cuda, "warp", cuda::batchnorm_warp());
  R::set_default(Device::cuda, kBatchNormDefaultCuda);
#endif
}

}  // namespace convlab
