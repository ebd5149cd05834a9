// Fast CPU update rules (cs231n optim.py): each parameter's elements split
// over threads in static blocks (parameters too small to share stay on one
// thread), one fused pass over w, dw and the state per element. The
// expressions are those of the reference, in double, so float results agree
// with it to rounding.
#include <cmath>

#include "host/ops/cpu_fast/fast_ops.h"
#include "host/ops/cpu_fast/parallel.h"
#include "host/ops/optim_checks.h"

namespace convlab::fast {

namespace {

template <class T>
void update_slot(ParamSlot& p, const OptimConfig& c, int64_t t) {
  const int64_t n = p.w.numel();
  const double lr = c.lr();
  T* w = p.w.data<T>();
  const T* dw = p.dw.data<T>();
  switch (c.rule) {
    case UpdateRule::sgd: {  // w -= lr * dw
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) w[i] = T(w[i] - lr * dw[i]);
      break;
    }
    case UpdateRule::sgd_momentum: {  // v = mu * v - lr * dw; w += v
      T* v = p.s1.data<T>();
      const double mu = c.momentum;
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) {
        v[i] = T(mu * v[i] - lr * dw[i]);
        w[i] = T(w[i] + double(v[i]));
      }
      break;
    }
    case UpdateRule::rmsprop: {  // cache = d * cache + (1 - d) * dw^2; w -= lr * dw / (sqrt(cache) + eps)
      T* cache = p.s1.data<T>();
      const double dr = c.decay_rate, eps = c.epsilon;
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) {
        const double g = dw[i];
        cache[i] = T(dr * cache[i] + (1.0 - dr) * g * g);
        w[i] = T(w[i] - lr * g / (std::sqrt(double(cache[i])) + eps));
      }
      break;
    }
    case UpdateRule::adam: {  // bias-corrected first and second moments
      T *m = p.s1.data<T>(), *v = p.s2.data<T>();
      const double b1 = c.beta1, b2 = c.beta2, eps = c.epsilon;
      const double c1 = 1.0 - std::pow(b1, double(t)), c2 = 1.0 - std::pow(b2, double(t));
      CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
      for (int64_t i = 0; i < n; ++i) {
        const double g = dw[i];
        m[i] = T(b1 * m[i] + (1.0 - b1) * g);
        v[i] = T(b2 * v[i] + (1.0 - b2) * g * g);
        const double mt = double(m[i]) / c1, vt = double(v[i]) / c2;
        w[i] = T(w[i] - lr * mt / (std::sqrt(vt) + eps));
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
                  "optim_step (cpu fast): w must be a CPU tensor, got " << device_name(p.w.device()));
    dispatch_floating(p.w.dtype(), "optim_step", [&](auto zero) { update_slot<decltype(zero)>(p, config, t); });
  }
}

}  // namespace convlab::fast
