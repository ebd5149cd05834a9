// CPU reference of the update rules (cs231n optim.py), float and double,
// applied in place to w and the state tensors of every slot.
#include <cmath>

#include "host/ops/optim_checks.h"

namespace convlab::ref {

namespace {

template <class T>
void update_slot(ParamSlot& p, const OptimConfig& c, int64_t t) {
  const int64_t n = p.w.numel();
  const double lr = c.lr();
  T* w = p.w.data<T>();
  const T* dw = p.dw.data<T>();
  switch (c.rule) {
    case UpdateRule::sgd:  // w -= lr * dw
      for (int64_t i = 0; i < n; ++i) w[i] = T(w[i] - lr * dw[i]);
      break;
    case UpdateRule::sgd_momentum: {  // v = mu * v - lr * dw; w += v
      T* v = p.s1.data<T>();
      for (int64_t i = 0; i < n; ++i) {
        v[i] = T(c.momentum * v[i] - lr * dw[i]);
        w[i] = T(w[i] + double(v[i]));
      }
      break;
    }
    case UpdateRule::rmsprop: {  // cache = d * cache + (1 - d) * dw^2; w -= lr * dw / (sqrt(cache) + eps)
      T* cache = p.s1.data<T>();
      for (int64_t i = 0; i < n; ++i) {
        const double g = dw[i];
        cache[i] = T(c.decay_rate * cache[i] + (1.0 - c.decay_rate) * g * g);
        w[i] = T(w[i] - lr * g / (std::sqrt(double(cache[i])) + c.epsilon));
      }
      break;
    }
    case UpdateRule::adam: {  // bias-corrected first and second moments
      T *m = p.s1.data<T>(), *v = p.s2.data<T>();
      const double c1 = 1.0 - std::pow(c.beta1, double(t)), c2 = 1.0 - std::pow(c.beta2, double(t));
      for (int64_t i = 0; i < n; ++i) {
        const double g = dw[i];
        m[i] = T(c.beta1 * m[i] + (1.0 - c.beta1) * g);
        v[i] = T(c.beta2 * v[i] + (1.0 - c.beta2) * g * g);
        const double mt = double(m[i]) / c1, vt = double(v[i]) / c2;
        w[i] = T(w[i] - lr * mt / (std::sqrt(vt) + c.epsilon));
      }
      break;
    }
  }
}

}  // namespace

void optim_step(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  check_and_prepare_optim_step("optim_step", params, config, t);
  for (auto& p : params) {
    CONVLAB_CHECK(p.w.device() == Device::cpu,
                  "optim_step: the reference runs on the CPU, w is on " << device_name(p.w.device()));
    dispatch_floating(p.w.dtype(), "optim_step", [&](auto zero) { update_slot<decltype(zero)>(p, config, t); });
  }
}

}  // namespace convlab::ref
