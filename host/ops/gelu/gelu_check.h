// Pieces shared by the gelu variants (CPU and CUDA): the argument checks of
// forward and backward on a device, and the per-element formulas (host and
// device code).
#pragma once
#include <math.h>  // erfc, exp for float and double in the global namespace (as in CUDA device code)

#include "host/ops/gelu/gelu.h"
#include "host/random/counter_rng.h"  // CONVLAB_HD

namespace convlab {

// x: a float tensor of any shape on `device`.
inline void check_gelu_forward(const Tensor& x, Device device) {
  x.expect_float("gelu_forward: x");
  expect_same("gelu_forward", device, x.dtype(), {{"x", &x}});
}

// cache.x a float tensor on `device`; dout: same dtype, device and shape.
inline void check_gelu_backward(const Tensor& dout, const GeluCache& cache, Device device) {
  cache.x.expect_float("gelu_backward: cache.x");
  expect_same("gelu_backward", device, cache.x.dtype(), {{"dout", &dout}, {"cache.x", &cache.x}});
  dout.expect_shape("gelu_backward: dout", cache.x.shape());
}

// 0.5 x (1 + erf(x / sqrt(2))) = 0.5 x erfc(-x / sqrt(2)), in T's precision.
// The erfc form keeps the left tail's relative accuracy, where 1 + erf would
// cancel to 0 (below x = -8 in double, -5 in float).
template <class T>
CONVLAB_HD T gelu_value(T x) {
  const T inv_sqrt2 = T(0.70710678118654752440);
  return T(0.5) * x * erfc(-x * inv_sqrt2);
}

// dout * (0.5 erfc(-x / sqrt(2)) + x exp(-x^2 / 2) / sqrt(2 pi)), in T's precision.
template <class T>
CONVLAB_HD T gelu_grad(T x, T dout) {
  const T inv_sqrt2 = T(0.70710678118654752440), inv_sqrt_2pi = T(0.39894228040143267794);
  const T cdf = T(0.5) * erfc(-x * inv_sqrt2);
  const T pdf = inv_sqrt_2pi * exp(T(-0.5) * x * x);
  return dout * (cdf + x * pdf);
}

}  // namespace convlab
