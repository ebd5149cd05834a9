// scale: out = factor * x, elementwise, any shape, with a constant factor
// (airbench's 1/9 on the logits). It is linear, so backward is the same op on
// dout: dx = factor * dout, and there is nothing to cache.
//
// Variants (host/ops/scale/scale_register.cpp; * = the device's default):
//   cpu/reference *  host/ops/scale/scale_reference.cpp  one loop
//   cuda/naive *     kernels/scale/scale_naive.cu        one thread per element (bandwidth-bound)
// Validation: check_scale below. Every variant multiplies once in the
// tensor's dtype by the factor rounded to it, so CPU and GPU agree bit for bit.
#pragma once
#include <cmath>
#include <string>

#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kScaleDefaultCpu = "reference";
inline constexpr const char* kScaleDefaultCuda = "naive";

struct ScaleImpl {
  static constexpr const char* name = "scale";
  static constexpr const char* header = "host/ops/scale/scale.h";
  // factor * x (forward) or factor * dout (backward).
  Tensor (*apply)(const Tensor& x, double factor);
};

inline Tensor scale_forward(const Tensor& x, double factor, const std::string& variant = "") {
  return OpRegistry<ScaleImpl>::get(x.device(), variant).apply(x, factor);
}
inline Tensor scale_backward(const Tensor& dout, double factor, const std::string& variant = "") {
  return OpRegistry<ScaleImpl>::get(dout.device(), variant).apply(dout, factor);
}

// x: a float tensor on `device`; factor: finite.
inline void check_scale(const Tensor& x, double factor, Device device) {
  x.expect_float("scale: x");
  expect_same("scale", device, x.dtype(), {{"x", &x}});
  CONVLAB_CHECK(std::isfinite(factor), "scale: factor must be finite, got " << factor);
}

namespace ref {
Tensor scale_apply(const Tensor& x, double factor);
}  // namespace ref

namespace cuda {  // kernels/scale/scale_naive.cu
Tensor scale_apply_naive(const Tensor& x, double factor);
}  // namespace cuda

}  // namespace convlab
