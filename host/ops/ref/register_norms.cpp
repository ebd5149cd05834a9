// Registers the CPU reference ("cpu/reference") of batchnorm, spatial
// batchnorm, layernorm and spatial group norm.
#include "host/ops/norm.h"

namespace convlab {

void register_cpu_reference_norm_ops() {}

}  // namespace convlab
