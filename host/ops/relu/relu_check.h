// Pieces shared by the relu variants: the argument checks of forward and
// backward on a device, and the per-element formulas.
#pragma once
#include "host/ops/relu/relu.h"

namespace convlab {

// x: a float tensor of any shape on `device`.
inline void check_relu_forward(const Tensor& x, Device device) {
  x.expect_float("relu_forward: x");
  expect_same("relu_forward", device, x.dtype(), {{"x", &x}});
}

// dout: same dtype, device and shape as cache.x, which is on `device`.
inline void check_relu_backward(const Tensor& dout, const ReluCache& cache, Device device) {
  expect_same("relu_backward", device, cache.x.dtype(), {{"dout", &dout}, {"cache.x", &cache.x}});
  dout.expect_shape("relu_backward: dout", cache.x.shape());
}

// max(0, x)
template <class T>
inline T relu_value(T x) {
  return x > T(0) ? x : T(0);
}

// dout where x > 0, else 0
template <class T>
inline T relu_grad(T x, T dout) {
  return x > T(0) ? dout : T(0);
}

}  // namespace convlab
