// The CUDA variants of optim_step (registered by kernels/register_cuda_norms.cpp).
#pragma once
#include <vector>

#include "host/ops/optim/optim.h"

namespace convlab::cuda {

// One grid-stride launch per parameter (kernels/optim/optim_naive.cu).
void optim_step_naive(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);
// Every parameter of the step in one launch (kernels/optim/optim_multi_tensor.cu).
void optim_step_multi_tensor(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);

// Shared argument checks (host/ops/optim/optim_check.h), the parameters' device,
// and creation of empty state tensors; false when there is nothing to update.
bool prepare_cuda_step(const char* op, std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);

}  // namespace convlab::cuda
