// CPU reference of the update rules (cs231n optim.py, Nesterov and weight
// decay as PyTorch; formulas in optim.h), float and double, applied in place
// to w and the state tensors of every slot.
#include "host/ops/optim/optim_check.h"
#include "host/ops/optim/optim_formulas.h"

namespace convlab::ref {

namespace {

using optim_formula::DecayKind;

template <class T, DecayKind D>
void update_slot(ParamSlot& p, const OptimConfig& c, int64_t t, const SlotCoeffs& k) {
  const int64_t n = p.w.numel();
  const double lr = k.lr;
  T* w = p.w.data<T>();
  const T* dw = p.dw.data<T>();
  namespace f = optim_formula;
  switch (c.rule) {
    case UpdateRule::sgd:
      for (int64_t i = 0; i < n; ++i) f::sgd(w[i], f::decayed_gradient<D>(w[i], dw[i], k), lr);
      break;
    case UpdateRule::sgd_momentum: {
      T* v = p.s1.data<T>();
      if (c.nesterov)
        for (int64_t i = 0; i < n; ++i)
          f::sgd_nesterov(w[i], f::decayed_gradient<D>(w[i], dw[i], k), v[i], lr, c.momentum);
      else
        for (int64_t i = 0; i < n; ++i)
          f::sgd_momentum(w[i], f::decayed_gradient<D>(w[i], dw[i], k), v[i], lr, c.momentum);
      break;
    }
    case UpdateRule::rmsprop: {
      T* cache = p.s1.data<T>();
      for (int64_t i = 0; i < n; ++i)
        f::rmsprop(w[i], f::decayed_gradient<D>(w[i], dw[i], k), cache[i], lr, c.decay_rate, c.epsilon);
      break;
    }
    case UpdateRule::adam:
    case UpdateRule::adamw: {
      T *m = p.s1.data<T>(), *v = p.s2.data<T>();
      const double c1 = f::adam_correction(c.beta1, t), c2 = f::adam_correction(c.beta2, t);
      for (int64_t i = 0; i < n; ++i)
        f::adam(w[i], f::decayed_gradient<D>(w[i], dw[i], k), m[i], v[i], lr, c.beta1, c.beta2, c.epsilon, c1, c2);
      break;
    }
  }
}

}  // namespace

void optim_step(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  cpu_optim_step("cpu reference", params, config, t, [&](auto zero, ParamSlot& p) {
    const SlotCoeffs k = slot_coeffs(config, p);
    optim_formula::dispatch_decay(optim_formula::decay_kind(k), [&](auto decay) {
      update_slot<decltype(zero), decltype(decay)::value>(p, config, t, k);
    });
  });
}

}  // namespace convlab::ref
