#include "host/ops/optim/optim_check.h"
#include "kernels/optim/optim_cuda.h"

namespace convlab::cuda {

bool prepare_cuda_step(const char* op, std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  check_and_prepare_optim_step(op, params, config, t);
  if (params.empty()) return false;
  CONVLAB_CHECK(params.front().w.device() == Device::cuda,
                op << ": the CUDA variant needs the parameters on the GPU, got "
                   << device_name(params.front().w.device()) << " tensors");
  return true;
}

}  // namespace convlab::cuda
