// Fast CPU update rules (cs231n optim.py): each parameter's elements split
// over threads in static blocks (parameters too small to share stay on one
// thread), one fused pass over w, dw and the state per element. The
// per-element formulas are the reference's (host/ops/optim_formulas.h).
#include "host/ops/cpu_fast/fast_ops.h"
#include "host/ops/cpu_fast/parallel.h"
#include "host/ops/optim_checks.h"
#include "host/ops/optim_formulas.h"

namespace convlab::fast {

namespace {

template <class T>
void update_slot(ParamSlot& p, const OptimConfig& c, int64_t t) {
  const int64_t n = p.w.numel();
  const double lr = c.lr();
  T* w = p.w.data<T>();
  const T* dw = p.dw.data<T>();
  namespace f = optim_formula;
  switch (c.rule) {
    case UpdateRule::sgd: {
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) f::sgd(w[i], dw[i], lr);
      break;
    }
    case UpdateRule::sgd_momentum: {
      T* v = p.s1.data<T>();
      const double mu = c.momentum;
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) f::sgd_momentum(w[i], dw[i], v[i], lr, mu);
      break;
    }
    case UpdateRule::rmsprop: {
      T* cache = p.s1.data<T>();
      const double dr = c.decay_rate, eps = c.epsilon;
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) f::rmsprop(w[i], dw[i], cache[i], lr, dr, eps);
      break;
    }
    case UpdateRule::adam: {
      T *m = p.s1.data<T>(), *v = p.s2.data<T>();
      const double b1 = c.beta1, b2 = c.beta2, eps = c.epsilon;
      const double c1 = f::adam_correction(b1, t), c2 = f::adam_correction(b2, t);
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) f::adam(w[i], dw[i], m[i], v[i], lr, b1, b2, eps, c1, c2);
      break;
    }
  }
}

}  // namespace

void optim_step(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t) {
  cpu_optim_step("cpu fast", params, config, t,
                 [&](auto zero, ParamSlot& p) { update_slot<decltype(zero)>(p, config, t); });
}

}  // namespace convlab::fast
