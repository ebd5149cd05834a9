// Registers the fast CPU variants ("cpu/fast").
#include "host/ops/registry.h"

namespace convlab {

void register_cpu_fast_ops() {}

}  // namespace convlab
