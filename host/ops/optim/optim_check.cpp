#include "host/ops/optim/optim_check.h"

#include <cmath>
#include <string>

namespace convlab {

namespace {

void check_range(const char* op, const char* name, double v, double lo, double hi, bool hi_open) {
  const bool ok = std::isfinite(v) && v >= lo && (hi_open ? v < hi : v <= hi);
  CONVLAB_CHECK(ok,
                op << ": " << name << " must lie in [" << lo << ", " << hi << (hi_open ? ")" : "]") << ", got " << v);
}

int state_count(UpdateRule r) {
  switch (r) {
    case UpdateRule::sgd:
      return 0;
    case UpdateRule::sgd_momentum:
    case UpdateRule::rmsprop:
      return 1;
    case UpdateRule::adam:
    case UpdateRule::adamw:
      return 2;
  }
  return 0;
}

}  // namespace

void check_and_prepare_optim_step(const char* op, std::vector<ParamSlot>& params, const OptimConfig& config,
                                  int64_t t) {
  // A negative learning_rate selects the rule's default; NaN or infinity is an error.
  CONVLAB_CHECK(std::isfinite(config.learning_rate),
                op << ": learning_rate must be a finite number (>= 0, or < 0 for the rule's default), got "
                   << config.learning_rate);
  const double lr = config.lr();
  CONVLAB_CHECK(lr >= 0, op << ": learning_rate must be >= 0, got " << lr);
  switch (config.rule) {
    case UpdateRule::sgd:
      break;
    case UpdateRule::sgd_momentum:
      check_range(op, "momentum", config.momentum, 0, 1, false);
      break;
    case UpdateRule::rmsprop:
      check_range(op, "decay_rate", config.decay_rate, 0, 1, false);
      break;
    case UpdateRule::adam:
    case UpdateRule::adamw:
      check_range(op, "beta1", config.beta1, 0, 1, true);
      check_range(op, "beta2", config.beta2, 0, 1, true);
      CONVLAB_CHECK(t >= 1, op << ": adam's step count t must be >= 1 (1 on the first step), got " << t);
      break;
  }
  if (config.rule == UpdateRule::rmsprop || is_adam(config.rule))
    CONVLAB_CHECK(std::isfinite(config.epsilon) && config.epsilon > 0,
                  op << ": epsilon must be a positive number, got " << config.epsilon);
  CONVLAB_CHECK(std::isfinite(config.weight_decay),
                op << ": weight_decay must be a finite number (>= 0, or < 0 for the rule's default), got "
                   << config.weight_decay);
  CONVLAB_CHECK(!config.nesterov || config.rule == UpdateRule::sgd_momentum,
                op << ": nesterov applies to sgd_momentum only, not to " << update_rule_name(config.rule));
  if (params.empty()) return;
  const Tensor& w0 = params.front().w;
  CONVLAB_CHECK(w0.defined(), op << ": parameter 0: w is empty");
  const int nstate = state_count(config.rule);
  for (std::size_t i = 0; i < params.size(); ++i) {
    ParamSlot& p = params[i];
    const std::string where = std::string(op) + ": parameter " + std::to_string(i);
    CONVLAB_CHECK(p.w.defined(), where << ": w is empty");
    CONVLAB_CHECK(std::isfinite(p.lr_mult) && p.lr_mult >= 0 && std::isfinite(p.wd_mult) && p.wd_mult >= 0,
                  where << ": lr_mult and wd_mult must be finite and >= 0, got " << p.lr_mult << " and " << p.wd_mult);
    p.w.expect_float((where + ": w").c_str());
    expect_same(where.c_str(), w0.device(), w0.dtype(), {{"w", &p.w}, {"dw", &p.dw}});
    p.dw.expect_shape((where + ": dw").c_str(), p.w.shape());
    Tensor* state[2] = {&p.s1, &p.s2};
    const char* names[2] = {"s1", "s2"};
    for (int k = 0; k < nstate; ++k) {
      if (!state[k]->defined()) {
        *state[k] = Tensor::zeros(p.w.shape(), p.w.dtype(), p.w.device());
        continue;
      }
      expect_same(where.c_str(), w0.device(), w0.dtype(), {{names[k], state[k]}});
      state[k]->expect_shape((where + ": " + names[k]).c_str(), p.w.shape());
    }
  }
}

bool prepare_optim_step_on(Device device, const char* op, std::vector<ParamSlot>& params, const OptimConfig& config,
                           int64_t t) {
  check_and_prepare_optim_step(op, params, config, t);
  if (params.empty()) return false;
  CONVLAB_CHECK(params.front().w.device() == device,
                op << ": the " << device_name(device) << " variant needs the parameters on " << device_name(device)
                   << ", got " << device_name(params.front().w.device()) << " tensors");
  return true;
}

}  // namespace convlab
