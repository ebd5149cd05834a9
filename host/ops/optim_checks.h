// Argument checks shared by every variant of optim_step (host/ops/optim.h).
#pragma once
#include <vector>

#include "host/ops/optim.h"

namespace convlab {

// Throws a clear convlab::Error unless: the hyper-parameters are valid
// (learning_rate finite, a negative one meaning the rule's default; momentum
// and decay_rate in [0, 1]; beta1 and beta2 in [0, 1); epsilon > 0; t >= 1
// for adam); every slot's w and dw are defined float tensors of one shape,
// dtype and device, the same device and dtype for all slots; every state
// tensor the rule uses is empty or matches w. Then creates the rule's empty
// state tensors as zeros like w.
void check_and_prepare_optim_step(const char* op, std::vector<ParamSlot>& params, const OptimConfig& config,
                                  int64_t t);

}  // namespace convlab
