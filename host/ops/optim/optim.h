// Update rules (cs231n optim.py): sgd, sgd_momentum (optionally Nesterov),
// rmsprop, adam and adamw, with optional weight decay (coupled or
// decoupled), applied in place to many parameters at once (one call per step,
// so a GPU variant can update every parameter in few launches). Each
// parameter may scale the learning rate and the weight decay (ParamSlot's
// lr_mult and wd_mult: parameter groups, host/solver/param_groups.h).
//
// The exact update of one element, g = dw (all in double, w and the state
// rounded to the parameter's dtype once each where stored):
//   weight decay, before the rule (lambda = weight_decay * wd_mult, lr =
//   learning_rate * lr_mult):
//     coupled   (PyTorch SGD/RMSprop/Adam weight_decay): g = dw + lambda * w
//     decoupled (PyTorch AdamW; Loshchilov & Hutter):   w = w * (1 - lr * lambda)
//   sgd            w -= lr * g
//   sgd_momentum   v = mu * v - lr * g; w += v                (cs231n; s1 = v)
//     nesterov     b = mu * b + g; w -= lr * (g + mu * b)     (PyTorch
//                  SGD(nesterov=True, dampening=0); s1 = b, in gradient units)
//   rmsprop        c = d * c + (1 - d) * g^2; w -= lr * g / (sqrt(c) + eps)
//   adam, adamw    m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
//                  w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
//   adamw is adam with decoupled weight decay (default weight_decay 0.01).
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

enum class UpdateRule { sgd, sgd_momentum, rmsprop, adam, adamw };
enum class WeightDecayMode { coupled, decoupled };
UpdateRule parse_update_rule(const std::string& s);  // clear error listing the known rules
const char* update_rule_name(UpdateRule r);
const char* weight_decay_mode_name(WeightDecayMode m);
inline bool is_adam(UpdateRule r) { return r == UpdateRule::adam || r == UpdateRule::adamw; }

// cs231n defaults: learning_rate 1e-2 (sgd, sgd_momentum, rmsprop) or 1e-3
// (adam, adamw); momentum 0.9; decay_rate 0.99; beta1 0.9, beta2 0.999;
// epsilon 1e-8. Weight decay 0 (0.01 for adamw, as PyTorch's AdamW), coupled
// (always decoupled for adamw).
struct OptimConfig {
  UpdateRule rule = UpdateRule::sgd;
  double learning_rate = -1.0;  // < 0: the rule's default
  double momentum = 0.9;
  double decay_rate = 0.99;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  bool nesterov = false;       // sgd_momentum only
  double weight_decay = -1.0;  // < 0: the rule's default
  WeightDecayMode weight_decay_mode = WeightDecayMode::coupled;
  double lr() const { return learning_rate >= 0 ? learning_rate : (is_adam(rule) ? 1e-3 : 1e-2); }
  double wd() const { return weight_decay >= 0 ? weight_decay : (rule == UpdateRule::adamw ? 0.01 : 0.0); }
  bool decoupled() const { return rule == UpdateRule::adamw || weight_decay_mode == WeightDecayMode::decoupled; }
};

// One parameter, its gradient and its optimiser state, all of the same shape,
// dtype and device. s1: velocity (sgd_momentum; the momentum buffer with
// nesterov), cache (rmsprop) or m (adam); s2: v (adam). State tensors are
// created as zeros on first use when empty. lr_mult and wd_mult (finite, >= 0)
// scale the step's learning rate and weight decay for this parameter.
struct ParamSlot {
  Tensor w, dw, s1, s2;
  double lr_mult = 1.0, wd_mult = 1.0;
};

// The per-parameter constants of one step (see the formulas above).
struct SlotCoeffs {
  double lr;          // learning_rate * lr_mult
  double coupled_wd;  // coupled weight decay: g = dw + coupled_wd * w (0: none)
  double decay;       // decoupled weight decay: w *= decay (1: none)
};

// From the step's lr and weight decay and a parameter's multipliers
// (constexpr: the CUDA kernels call it too).
constexpr SlotCoeffs make_slot_coeffs(double lr, double wd, bool decoupled, double lr_mult, double wd_mult) {
  const double l = lr * lr_mult, d = wd * wd_mult;
  if (d == 0.0) return {l, 0.0, 1.0};
  return decoupled ? SlotCoeffs{l, 0.0, 1.0 - l * d} : SlotCoeffs{l, d, 1.0};
}

inline SlotCoeffs slot_coeffs(const OptimConfig& c, const ParamSlot& p) {
  return make_slot_coeffs(c.lr(), c.wd(), c.decoupled(), p.lr_mult, p.wd_mult);
}

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
