// Argument checks shared by every variant of optim_step (host/ops/optim/optim.h).
#pragma once
#include <vector>

#include "host/ops/optim/optim.h"

namespace convlab {

// Throws a clear convlab::Error unless: the hyper-parameters are valid
// (learning_rate finite, a negative one meaning the rule's default; momentum
// and decay_rate in [0, 1]; beta1 and beta2 in [0, 1); epsilon > 0; t >= 1
// for adam; weight_decay finite; nesterov only with sgd_momentum); every
// slot's lr_mult and wd_mult finite and >= 0, its w and dw are defined float tensors of one shape,
// dtype and device, the same device and dtype for all slots; every state
// tensor the rule uses is empty or matches w. Then creates the rule's empty
// state tensors as zeros like w.
void check_and_prepare_optim_step(const char* op, std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);

// The checks above for a variant on `device`, which the parameters must be
// on; false when there is nothing to update.
bool prepare_optim_step_on(Device device, const char* op, std::vector<ParamSlot>& params, const OptimConfig& config,
                           int64_t t);

// optim_step of a CPU variant ("variant" names it in messages): the checks
// above, then update(zero, slot) for every slot, zero a T(0) of its dtype.
template <class Update>
void cpu_optim_step(const char* variant, std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t,
                    Update&& update) {
  check_and_prepare_optim_step("optim_step", params, config, t);
  for (auto& p : params) {
    CONVLAB_CHECK(p.w.device() == Device::cpu,
                  "optim_step (" << variant << "): w must be a CPU tensor, got " << device_name(p.w.device()));
    dispatch_floating(p.w.dtype(), "optim_step", [&](auto zero) { update(zero, p); });
  }
}

}  // namespace convlab
