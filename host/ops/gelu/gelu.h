// gelu: out = x * Phi(x) = 0.5 x (1 + erf(x / sqrt(2))), elementwise, any shape.
// The exact (erf) form, PyTorch's nn.GELU() default (approximate="none");
// the tanh approximation is not provided. Backward:
//   d/dx gelu(x) = Phi(x) + x phi(x) = 0.5 (1 + erf(x / sqrt(2))) + x exp(-x^2 / 2) / sqrt(2 pi).
//
// Variants (host/ops/gelu/gelu_register.cpp; * = the device's default):
//   cpu/reference   host/ops/gelu/gelu_reference.cpp  one loop, double math for every dtype
//   cpu/threaded *  host/ops/gelu/gelu_threaded.cpp   static blocks over threads, math in the tensor's dtype;
//                                                     float32 16 per step with AVX-512, else 8 with AVX2
//                                                     (erfc fit, vector exp; gelu_vector.inc for both)
//   cuda/naive      kernels/gelu/gelu_naive.cu        one thread per element, grid-stride (launch_n)
//   cuda/vec *      kernels/gelu/gelu_vec.cu          16-byte vector loads/stores (4 floats / 2 doubles)
//                                                     per thread per step, scalar tail
// Validation and the per-element formulas: host/ops/gelu/gelu_check.h.
#pragma once
#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kGeluDefaultCpu = "threaded";
inline constexpr const char* kGeluDefaultCuda = "vec";

struct GeluCache {
  Tensor x;
};

struct GeluImpl {
  static constexpr const char* name = "gelu";
  static constexpr const char* header = "host/ops/gelu/gelu.h";
  Forward<GeluCache> (*forward)(const Tensor& x);
  Tensor (*backward)(const Tensor& dout, const GeluCache& cache);
};

inline Forward<GeluCache> gelu_forward(const Tensor& x, const std::string& variant = "") {
  return OpRegistry<GeluImpl>::get(x.device(), variant).forward(x);
}
inline Tensor gelu_backward(const Tensor& dout, const GeluCache& cache, const std::string& variant = "") {
  return OpRegistry<GeluImpl>::get(dout.device(), variant).backward(dout, cache);
}

namespace ref {
Forward<GeluCache> gelu_forward(const Tensor& x);
Tensor gelu_backward(const Tensor& dout, const GeluCache& cache);
}  // namespace ref

namespace threaded {
Forward<GeluCache> gelu_forward(const Tensor& x);
Tensor gelu_backward(const Tensor& dout, const GeluCache& cache);
// Tests switch the AVX-512 kernels off to check the AVX2 ones on the same CPU; returns the previous setting.
bool set_gelu_avx512_enabled(bool on);
}  // namespace threaded

namespace cuda {
// kernels/gelu/gelu_naive.cu
Forward<GeluCache> gelu_forward_naive(const Tensor& x);
Tensor gelu_backward_naive(const Tensor& dout, const GeluCache& cache);
// kernels/gelu/gelu_vec.cu
Forward<GeluCache> gelu_forward_vec(const Tensor& x);
Tensor gelu_backward_vec(const Tensor& dout, const GeluCache& cache);
}  // namespace cuda

}  // namespace convlab
