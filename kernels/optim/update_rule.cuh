// The element-wise update rules (cs231n optim.py) as one device function,
// shared by the naive (one launch per parameter) and multi-tensor variants.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "host/ops/optim.h"

namespace convlab::cuda_optim {

// Hyper-parameters of one step in T; adam's bias corrections 1/(1 - beta^t)
// are computed on the host (in double) once per step.
template <class T>
struct UpdateCoeffs {
  T lr, momentum, decay_rate, beta1, beta2, epsilon, inv_bias1, inv_bias2;
};

template <class T>
UpdateCoeffs<T> make_coeffs(const OptimConfig& c, int64_t t) {
  const double b1 = c.rule == UpdateRule::adam ? 1.0 / (1.0 - std::pow(c.beta1, double(t))) : 1.0;
  const double b2 = c.rule == UpdateRule::adam ? 1.0 / (1.0 - std::pow(c.beta2, double(t))) : 1.0;
  return {T(c.lr()), T(c.momentum), T(c.decay_rate), T(c.beta1), T(c.beta2), T(c.epsilon), T(b1), T(b2)};
}

// Updates element i of one parameter in place: w and the rule's state
// (s1: velocity / cache / m, s2: v), each read once and written once.
template <UpdateRule R, class T>
__device__ __forceinline__ void update_element(const UpdateCoeffs<T>& k, int64_t i, T* w, const T* dw, T* s1,
                                               T* s2) {
  const T g = dw[i];
  if constexpr (R == UpdateRule::sgd) {
    w[i] -= k.lr * g;
  } else if constexpr (R == UpdateRule::sgd_momentum) {
    const T v = k.momentum * s1[i] - k.lr * g;
    s1[i] = v;
    w[i] += v;
  } else if constexpr (R == UpdateRule::rmsprop) {
    const T c = k.decay_rate * s1[i] + (T(1) - k.decay_rate) * g * g;
    s1[i] = c;
    w[i] -= k.lr * g / (sqrt(c) + k.epsilon);
  } else {
    const T m = k.beta1 * s1[i] + (T(1) - k.beta1) * g;
    const T v = k.beta2 * s2[i] + (T(1) - k.beta2) * g * g;
    s1[i] = m;
    s2[i] = v;
    w[i] -= k.lr * (m * k.inv_bias1) / (sqrt(v * k.inv_bias2) + k.epsilon);
  }
}

// Calls f(std::integral_constant<UpdateRule, R>{}) for the run-time rule r.
template <class F>
void dispatch_rule(UpdateRule r, F&& f) {
  switch (r) {
    case UpdateRule::sgd: return f(std::integral_constant<UpdateRule, UpdateRule::sgd>{});
    case UpdateRule::sgd_momentum: return f(std::integral_constant<UpdateRule, UpdateRule::sgd_momentum>{});
    case UpdateRule::rmsprop: return f(std::integral_constant<UpdateRule, UpdateRule::rmsprop>{});
    case UpdateRule::adam: return f(std::integral_constant<UpdateRule, UpdateRule::adam>{});
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

}  // namespace convlab::cuda_optim
