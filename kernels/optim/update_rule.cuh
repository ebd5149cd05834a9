// The element-wise update rules (cs231n optim.py) as one device function,
// shared by the naive (one launch per parameter) and multi-tensor variants.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "host/ops/optim/optim.h"

namespace convlab::cuda {

// Hyper-parameters of one step, in double: the element updates compute in
// double and round to T where the CPU reference does (optim_reference.cpp), so
// a float32 step matches it to rounding. (In float, 1 - beta2 = 1 - 0.999f is
// off by 1.3e-5 relative, which adam's second moment would inherit.) The
// bias corrections 1 - beta^t are computed once per step on the host. The
// learning rate and the weight decay are scaled per parameter (SlotCoeffs,
// optim.h): the naive variant passes each parameter's SlotCoeffs, the
// multi-tensor one makes them from lr, wd and each descriptor's multipliers.
struct UpdateCoeffs {
  double lr, wd;
  double momentum, decay_rate, beta1, beta2, epsilon;
  double one_minus_decay, one_minus_beta1, one_minus_beta2, bias1, bias2;
  int nesterov;   // sgd_momentum: 1 for PyTorch's Nesterov update
  int decoupled;  // weight decay: 1 decoupled, 0 coupled
};

inline UpdateCoeffs make_coeffs(const OptimConfig& c, int64_t t) {
  const bool adam = is_adam(c.rule);
  return {c.lr(),
          c.wd(),
          c.momentum,
          c.decay_rate,
          c.beta1,
          c.beta2,
          c.epsilon,
          1.0 - c.decay_rate,
          1.0 - c.beta1,
          1.0 - c.beta2,
          adam ? 1.0 - std::pow(c.beta1, double(t)) : 1.0,
          adam ? 1.0 - std::pow(c.beta2, double(t)) : 1.0,
          c.nesterov ? 1 : 0,
          c.decoupled() ? 1 : 0};
}

// Updates element i of one parameter in place: w and the rule's state
// (s1: velocity / momentum buffer / cache / m, s2: v), each read once and
// written once. Weight decay first, as optim_formula::decayed_gradient.
template <UpdateRule R, class T>
__device__ __forceinline__ void update_element(const UpdateCoeffs& k, const SlotCoeffs& s, int64_t i, T* w, const T* dw,
                                               T* s1, T* s2) {
  T wi = w[i];
  if (s.decay != 1.0) wi = T(s.decay * wi);
  const double g = s.coupled_wd != 0.0 ? double(T(dw[i] + s.coupled_wd * wi)) : double(dw[i]);
  const double lr = s.lr;
  if constexpr (R == UpdateRule::sgd) {
    w[i] = T(wi - lr * g);
  } else if constexpr (R == UpdateRule::sgd_momentum) {
    if (k.nesterov) {
      const T b = T(k.momentum * s1[i] + g);
      s1[i] = b;
      w[i] = T(wi - lr * (g + k.momentum * double(b)));
    } else {
      const T v = T(k.momentum * s1[i] - lr * g);
      s1[i] = v;
      w[i] = T(wi + double(v));
    }
  } else if constexpr (R == UpdateRule::rmsprop) {
    const T c = T(k.decay_rate * s1[i] + k.one_minus_decay * g * g);
    s1[i] = c;
    w[i] = T(wi - lr * g / (sqrt(double(c)) + k.epsilon));
  } else {
    const T m = T(k.beta1 * s1[i] + k.one_minus_beta1 * g);
    const T v = T(k.beta2 * s2[i] + k.one_minus_beta2 * g * g);
    s1[i] = m;
    s2[i] = v;
    const double mt = double(m) / k.bias1, vt = double(v) / k.bias2;
    w[i] = T(wi - lr * mt / (sqrt(vt) + k.epsilon));
  }
}

// Calls f(std::integral_constant<UpdateRule, R>{}) for the run-time rule r.
template <class F>
void dispatch_rule(UpdateRule r, F&& f) {
  switch (r) {
    case UpdateRule::sgd:
      return f(std::integral_constant<UpdateRule, UpdateRule::sgd>{});
    case UpdateRule::sgd_momentum:
      return f(std::integral_constant<UpdateRule, UpdateRule::sgd_momentum>{});
    case UpdateRule::rmsprop:
      return f(std::integral_constant<UpdateRule, UpdateRule::rmsprop>{});
    case UpdateRule::adam:
    case UpdateRule::adamw:  // adam's element update; its weight decay is in SlotCoeffs
      return f(std::integral_constant<UpdateRule, UpdateRule::adam>{});
  }
}

// Typed pointer of state tensor `which` (1 or 2) of a slot, or null when the
// rule does not use it (the shared checks validated and created those it uses).
template <class T>
T* state_ptr(ParamSlot& p, UpdateRule r, int which) {
  const int used = r == UpdateRule::sgd ? 0 : is_adam(r) ? 2 : 1;
  if (which > used) return nullptr;
  return which == 1 ? p.s1.data<T>() : p.s2.data<T>();
}

}  // namespace convlab::cuda
