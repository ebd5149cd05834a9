// Registers the CPU reference ("cpu/reference") of affine, relu, conv,
// max_pool, dropout and the losses.
#include "host/ops/relu.h"

namespace convlab {

void register_cpu_reference_core_ops() {
  OpRegistry<ReluImpl>::add(Device::cpu, "reference", ReluImpl{ref::relu_forward, ref::relu_backward});
}

}  // namespace convlab
