// The element-wise update rules (cs231n optim.py) as one device function,
// shared by the naive (one launch per parameter) and multi-tensor variants.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "host/ops/optim/optim.h"

namespace convlab::cuda {

// Hyper-parameters of one step, in double: the element updates compute in
// double and round to T where the CPU reference does (optim_ref.cpp), so a
// float32 step matches it to rounding. (In float, 1 - beta2 = 1 - 0.999f is
// off by 1.3e-5 relative, which adam's second moment would inherit.) The
// bias corrections 1 - beta^t are computed once per step on the host.
struct UpdateCoeffs {
  double lr, momentum, decay_rate, beta1, beta2, epsilon;
  double one_minus_decay, one_minus_beta1, one_minus_beta2, bias1, bias2;
};

inline UpdateCoeffs make_coeffs(const OptimConfig& c, int64_t t) {
  const bool adam = c.rule == UpdateRule::adam;
  return {c.lr(),
          c.momentum,
          c.decay_rate,
          c.beta1,
          c.beta2,
          c.epsilon,
          1.0 - c.decay_rate,
          1.0 - c.beta1,
          1.0 - c.beta2,
          adam ? 1.0 - std::pow(c.beta1, double(t)) : 1.0,
          adam ? 1.0 - std::pow(c.beta2, double(t)) : 1.0};
}

// Updates element i of one parameter in place: w and the rule's state
// (s1: velocity / cache / m, s2: v), each read once and written once.
template <UpdateRule R, class T>
__device__ __forceinline__ void update_element(const UpdateCoeffs& k, int64_t i, T* w, const T* dw, T* s1, T* s2) {
  const double g = dw[i];
  if constexpr (R == UpdateRule::sgd) {
    w[i] = T(w[i] - k.lr * g);
  } else if constexpr (R == UpdateRule::sgd_momentum) {
    const T v = T(k.momentum * s1[i] - k.lr * g);
    s1[i] = v;
    w[i] = T(w[i] + double(v));
  } else if constexpr (R == UpdateRule::rmsprop) {
    const T c = T(k.decay_rate * s1[i] + k.one_minus_decay * g * g);
    s1[i] = c;
    w[i] = T(w[i] - k.lr * g / (sqrt(double(c)) + k.epsilon));
  } else {
    const T m = T(k.beta1 * s1[i] + k.one_minus_beta1 * g);
    const T v = T(k.beta2 * s2[i] + k.one_minus_beta2 * g * g);
    s1[i] = m;
    s2[i] = v;
    const double mt = double(m) / k.bias1, vt = double(v) / k.bias2;
    w[i] = T(w[i] - k.lr * mt / (sqrt(vt) + k.epsilon));
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
      return f(std::integral_constant<UpdateRule, UpdateRule::adam>{});
  }
}

// Typed pointer of state tensor `which` (1 or 2) of a slot, or null when the
// rule does not use it (the shared checks validated and created those it uses).
template <class T>
T* state_ptr(ParamSlot& p, UpdateRule r, int which) {
  const int used = r == UpdateRule::sgd ? 0 : r == UpdateRule::adam ? 2 : 1;
  if (which > used) return nullptr;
  return which == 1 ? p.s1.data<T>() : p.s2.data<T>();
}

}  // namespace convlab::cuda
