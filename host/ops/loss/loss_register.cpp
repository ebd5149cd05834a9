// Registers every variant of loss (the list and the defaults: host/ops/loss/loss.h).
#include "host/ops/loss/loss.h"

namespace convlab {

void register_loss_ops() {
  using Softmax = OpRegistry<SoftmaxLossImpl>;
  using Svm = OpRegistry<SvmLossImpl>;
  Softmax::add(Device::cpu, "reference", {ref::softmax_loss});
  Softmax::add(Device::cpu, "threaded", {threaded::softmax_loss});
  Softmax::set_default(Device::cpu, kSoftmaxLossDefaultCpu);
  Svm::add(Device::cpu, "reference", {ref::svm_loss});
  Svm::set_default(Device::cpu, kSvmLossDefaultCpu);
#if CONVLAB_HAVE_CUDA
  Softmax::add(Device::cuda, "naive", {cuda::softmax_loss_naive});
  Softmax::add(Device::cuda, "warp", {cuda::softmax_loss_warp});
  Softmax::set_default(Device::cuda, kSoftmaxLossDefaultCuda);
  Svm::add(Device::cuda, "naive", {cuda::svm_loss_naive});
  Svm::add(Device::cuda, "warp", {cuda::svm_loss_warp});
  Svm::set_default(Device::cuda, kSvmLossDefaultCuda);
#endif
}

}  // namespace convlab
