// Per-element update formulas of the rules (cs231n optim.py), shared by the
// CPU reference and the fast CPU ops so both compute the same expressions, in
// double, rounding each stored value to T once.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "host/ops/optim/optim.h"

namespace convlab::optim_formula {

// Weight decay of one element before the rule: decoupled scales w by s.decay
// (rounded to T, as PyTorch's AdamW scales the parameter in place first);
// coupled returns the gradient dw + lambda * w (rounded to T, as PyTorch's
// weight_decay adds it to the gradient); none returns dw as it is. The kind
// is a template argument so that each variant's loop has no branch in it
// (and vectorizes as it did without weight decay).
enum class DecayKind { none, coupled, decoupled };

inline DecayKind decay_kind(const SlotCoeffs& s) {
  return s.decay != 1.0 ? DecayKind::decoupled : s.coupled_wd != 0.0 ? DecayKind::coupled : DecayKind::none;
}

template <DecayKind D, class T>
inline T decayed_gradient(T& w, T dw, const SlotCoeffs& s) {
  if constexpr (D == DecayKind::decoupled) w = T(s.decay * w);
  if constexpr (D == DecayKind::coupled) {
    return T(dw + s.coupled_wd * w);
  } else {
    return dw;
  }
}

// Calls f(std::integral_constant<DecayKind, K>{}) for the run-time kind k.
template <class F>
void dispatch_decay(DecayKind k, F&& f) {
  switch (k) {
    case DecayKind::none:
      return f(std::integral_constant<DecayKind, DecayKind::none>{});
    case DecayKind::coupled:
      return f(std::integral_constant<DecayKind, DecayKind::coupled>{});
    case DecayKind::decoupled:
      return f(std::integral_constant<DecayKind, DecayKind::decoupled>{});
  }
}

// w -= lr * dw
template <class T>
inline void sgd(T& w, T dw, double lr) {
  w = T(w - lr * dw);
}

// v = mu * v - lr * dw; w += v
template <class T>
inline void sgd_momentum(T& w, T dw, T& v, double lr, double mu) {
  v = T(mu * v - lr * dw);
  w = T(w + double(v));
}

// PyTorch SGD(nesterov=True), dampening 0: b = mu * b + dw; w -= lr * (dw + mu * b)
template <class T>
inline void sgd_nesterov(T& w, T dw, T& b, double lr, double mu) {
  b = T(mu * b + dw);
  w = T(w - lr * (dw + mu * double(b)));
}

// cache = d * cache + (1 - d) * dw^2; w -= lr * dw / (sqrt(cache) + eps)
template <class T>
inline void rmsprop(T& w, T dw, T& cache, double lr, double decay_rate, double eps) {
  const double g = dw;
  cache = T(decay_rate * cache + (1.0 - decay_rate) * g * g);
  w = T(w - lr * g / (std::sqrt(double(cache)) + eps));
}

// Bias-corrected first and second moments; c1 = 1 - beta1^t, c2 = 1 - beta2^t.
template <class T>
inline void adam(T& w, T dw, T& m, T& v, double lr, double beta1, double beta2, double eps, double c1, double c2) {
  const double g = dw;
  m = T(beta1 * m + (1.0 - beta1) * g);
  v = T(beta2 * v + (1.0 - beta2) * g * g);
  const double mt = double(m) / c1, vt = double(v) / c2;
  w = T(w - lr * mt / (std::sqrt(vt) + eps));
}

// The bias corrections 1 - beta^t of step t.
inline double adam_correction(double beta, int64_t t) { return 1.0 - std::pow(beta, double(t)); }

}  // namespace convlab::optim_formula
