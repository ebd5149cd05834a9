#include "host/ops/registry.h"

namespace convlab {

void register_cpu_reference_core_ops();  // host/ops/ref/register_core.cpp
void register_cpu_reference_norm_ops();  // host/ops/ref/register_norms.cpp
void register_cpu_reference_optim_ops();  // host/ops/ref/register_optim.cpp

void register_cpu_reference_ops() {
  register_cpu_reference_core_ops();
  register_cpu_reference_norm_ops();
  register_cpu_reference_optim_ops();
}

}  // namespace convlab
