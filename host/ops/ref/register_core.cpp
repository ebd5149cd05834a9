// Registers the CPU reference ("cpu/reference") of affine, relu, conv,
// max_pool, dropout, the losses and conv_relu_pool (the chain of the
// reference ops).
#include "host/ops/affine.h"
#include "host/ops/conv.h"
#include "host/ops/conv_relu_pool.h"
#include "host/ops/dropout.h"
#include "host/ops/loss.h"
#include "host/ops/max_pool.h"
#include "host/ops/relu.h"

namespace convlab {

void register_cpu_reference_core_ops() {
  OpRegistry<AffineImpl>::add(Device::cpu, "reference", AffineImpl{ref::affine_forward, ref::affine_backward});
  OpRegistry<ReluImpl>::add(Device::cpu, "reference", ReluImpl{ref::relu_forward, ref::relu_backward});
  OpRegistry<ConvImpl>::add(Device::cpu, "reference", ConvImpl{ref::conv_forward, ref::conv_backward});
  OpRegistry<ConvReluPoolImpl>::add(Device::cpu, "reference",
                                    ConvReluPoolImpl{ref::conv_relu_pool_forward, ref::conv_relu_pool_backward});
  OpRegistry<MaxPoolImpl>::add(Device::cpu, "reference",
                               MaxPoolImpl{ref::max_pool_forward, ref::max_pool_backward});
  OpRegistry<DropoutImpl>::add(Device::cpu, "reference", DropoutImpl{ref::dropout_forward, ref::dropout_backward});
  OpRegistry<SoftmaxLossImpl>::add(Device::cpu, "reference", SoftmaxLossImpl{ref::softmax_loss});
  OpRegistry<SvmLossImpl>::add(Device::cpu, "reference", SvmLossImpl{ref::svm_loss});
}

}  // namespace convlab
