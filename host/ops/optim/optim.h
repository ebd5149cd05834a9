// Update rules (cs231n optim.py): sgd, sgd_momentum, rmsprop, adam, applied
// in place to many parameters at once (one call per step, so a GPU variant
// can update every parameter in few launches).
//
// Variants (host/ops/optim/optim_register.cpp; * = the device's default):
//   cpu/reference      host/ops/optim/optim_reference.cpp   cs231n's formulas (optim_formulas.h)
//   cpu/threaded *     host/ops/optim/optim_threaded.cpp    elements over threads, one fused pass
//   cuda/naive         kernels/optim/optim_naive.cu         one grid-stride launch per parameter
//   cuda/multi_tensor * kernels/optim/optim_multi_tensor.cu every parameter in one launch
// Validation: host/ops/optim/optim_check.h.
#pragma once
#include <string>
#include <vector>

#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kOptimDefaultCpu = "threaded";
inline constexpr const char* kOptimDefaultCuda = "multi_tensor";

enum class UpdateRule { sgd, sgd_momentum, rmsprop, adam };
UpdateRule parse_update_rule(const std::string& s);  // clear error listing the known rules
const char* update_rule_name(UpdateRule r);

// cs231n defaults: learning_rate 1e-2 (sgd, sgd_momentum, rmsprop) or 1e-3
// (adam); momentum 0.9; decay_rate 0.99; beta1 0.9, beta2 0.999; epsilon 1e-8.
struct OptimConfig {
  UpdateRule rule = UpdateRule::sgd;
  double learning_rate = -1.0;  // < 0: the rule's default
  double momentum = 0.9;
  double decay_rate = 0.99;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double lr() const { return learning_rate >= 0 ? learning_rate : (rule == UpdateRule::adam ? 1e-3 : 1e-2); }
};

// One parameter, its gradient and its optimiser state, all of the same shape,
// dtype and device. s1: velocity (sgd_momentum), cache (rmsprop) or m (adam);
// s2: v (adam). State tensors are created as zeros on first use when empty.
struct ParamSlot {
  Tensor w, dw, s1, s2;
};

struct OptimImpl {
  static constexpr const char* name = "optim";
  static constexpr const char* header = "host/ops/optim/optim.h";
  // t: adam's step count, already incremented for this step (1 on the first).
  void (*step)(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);
};

inline void optim_step(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t,
                       const std::string& variant = "") {
  if (params.empty()) return;
  OpRegistry<OptimImpl>::get(params.front().w.device(), variant).step(params, config, t);
}

namespace ref {
void optim_step(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);
}  // namespace ref

namespace threaded {
void optim_step(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);
}  // namespace threaded

namespace cuda {
// One grid-stride launch per parameter (kernels/optim/optim_naive.cu).
void optim_step_naive(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);
// Every parameter of the step in one launch (kernels/optim/optim_multi_tensor.cu).
void optim_step_multi_tensor(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);
}  // namespace cuda

}  // namespace convlab
