// relu: out = max(0, x), elementwise, any shape.
//
// Variants (host/ops/relu/relu_register.cpp; * = the device's default):
//   cpu/reference   host/ops/relu/relu_reference.cpp  one loop
//   cpu/threaded *  host/ops/relu/relu_threaded.cpp   static blocks over threads, vectorised select
//   cuda/naive *    kernels/relu/relu_naive.cu        one thread per element (bandwidth-bound)
// Validation: host/ops/relu/relu_check.h.
#pragma once
#include "host/ops/common.h"

namespace convlab {

inline constexpr const char* kReluDefaultCpu = "threaded";
inline constexpr const char* kReluDefaultCuda = "naive";

struct ReluCache {
  Tensor x;
};

struct ReluImpl {
  static constexpr const char* name = "relu";
  static constexpr const char* header = "host/ops/relu/relu.h";
  Forward<ReluCache> (*forward)(const Tensor& x);
  Tensor (*backward)(const Tensor& dout, const ReluCache& cache);
};

inline Forward<ReluCache> relu_forward(const Tensor& x, const std::string& variant = "") {
  return OpRegistry<ReluImpl>::get(x.device(), variant).forward(x);
}
inline Tensor relu_backward(const Tensor& dout, const ReluCache& cache, const std::string& variant = "") {
  return OpRegistry<ReluImpl>::get(dout.device(), variant).backward(dout, cache);
}

namespace ref {
Forward<ReluCache> relu_forward(const Tensor& x);
Tensor relu_backward(const Tensor& dout, const ReluCache& cache);
}  // namespace ref

namespace threaded {
Forward<ReluCache> relu_forward(const Tensor& x);
Tensor relu_backward(const Tensor& dout, const ReluCache& cache);
}  // namespace threaded

namespace cuda {  // kernels/relu/relu_naive.cu
Forward<ReluCache> relu_forward_naive(const Tensor& x);
Tensor relu_backward_naive(const Tensor& dout, const ReluCache& cache);
}  // namespace cuda

}  // namespace convlab
