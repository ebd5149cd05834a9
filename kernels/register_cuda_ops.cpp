// Registers every CUDA variant ("cuda/<variant>") of every op.
#include "host/ops/registry.h"

namespace convlab {

void register_cuda_ops() {}

}  // namespace convlab
