// Registers the CPU reference ("cpu/reference") of the update rules.
#include "host/ops/optim.h"

namespace convlab {

void register_cpu_reference_optim_ops() {
  OpRegistry<OptimImpl>::add(Device::cpu, "reference", OptimImpl{ref::optim_step});
}

}  // namespace convlab
