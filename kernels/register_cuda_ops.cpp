// Registers every CUDA variant ("cuda/<variant>") of every op.
#include "host/ops/registry.h"

namespace convlab {

void register_cuda_core_ops();  // kernels/register_cuda_core.cpp: affine, relu, conv, max_pool, dropout, losses
void register_cuda_norm_ops();  // kernels/register_cuda_norms.cpp: norms and update rules

void register_cuda_ops() {
  register_cuda_core_ops();
  register_cuda_norm_ops();
}

}  // namespace convlab
