// Fast CPU update rules (cs231n optim.py): each parameter's elements split
// over threads in static blocks (parameters too small to share stay on one
// thread), one fused pass over w, dw and the state per element (weight decay
// included). sgd, momentum (and Nesterov) and rmsprop use the reference's per-element formulas
// (host/ops/optim/optim_formulas.h); adam is rearranged below.
#include <cmath>

#include "host/cpu/parallel.h"
#include "host/ops/optim/optim.h"
#include "host/ops/optim/optim_check.h"
#include "host/ops/optim/optim_formulas.h"

namespace convlab::threaded {

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
    case UpdateRule::sgd: {
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) f::sgd(w[i], f::decayed_gradient<D>(w[i], dw[i], k), lr);
      break;
    }
    case UpdateRule::sgd_momentum: {
      T* v = p.s1.data<T>();
      const double mu = c.momentum;
      if (c.nesterov) {
        CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
        for (int64_t i = 0; i < n; ++i) f::sgd_nesterov(w[i], f::decayed_gradient<D>(w[i], dw[i], k), v[i], lr, mu);
      } else {
        CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
        for (int64_t i = 0; i < n; ++i) f::sgd_momentum(w[i], f::decayed_gradient<D>(w[i], dw[i], k), v[i], lr, mu);
      }
      break;
    }
    case UpdateRule::rmsprop: {
      T* cache = p.s1.data<T>();
      const double dr = c.decay_rate, eps = c.epsilon;
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) f::rmsprop(w[i], f::decayed_gradient<D>(w[i], dw[i], k), cache[i], lr, dr, eps);
      break;
    }
    case UpdateRule::adam:
    case UpdateRule::adamw: {
      T *m = p.s1.data<T>(), *v = p.s2.data<T>();
      const double b1 = c.beta1, b2 = c.beta2, eps = c.epsilon;
      const double c1 = f::adam_correction(b1, t), c2 = f::adam_correction(b2, t);
      // In T's precision with the bias corrections folded into two constants:
      // w -= (lr / c1) * m / (sqrt(v) / sqrt(c2) + eps), which is the
      // reference's lr * (m / c1) / (sqrt(v / c2) + eps) with one square root
      // and one division per element, and twice as many float lanes per
      // vector as double ones. Agrees with the reference to T's rounding.
      // Weight decay as the reference (f::decayed_gradient).
      const T tb1 = T(b1), tb2 = T(b2), ta = T(1.0 - b1), tb = T(1.0 - b2), teps = T(eps);
      const T step = T(lr / c1), inv_sqrt_c2 = T(1.0 / std::sqrt(c2));
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) {
        const T g = f::decayed_gradient<D>(w[i], dw[i], k);
        const T mi = tb1 * m[i] + ta * g, vi = tb2 * v[i] + tb * g * g;
        m[i] = mi;
        v[i] = vi;
        w[i] -= step * mi / (std::sqrt(vi) * inv_sqrt_c2 + teps);
      }
      break;
    }
  }
}

}  // namespace

void optim_step(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  cpu_optim_step("cpu fast", params, config, t, [&](auto zero, ParamSlot& p) {
    const SlotCoeffs k = slot_coeffs(config, p);
    optim_formula::dispatch_decay(optim_formula::decay_kind(k), [&](auto decay) {
      update_slot<decltype(zero), decltype(decay)::value>(p, config, t, k);
    });
  });
}

}  // namespace convlab::threaded
