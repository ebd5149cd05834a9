// relu: out = max(0, x), elementwise, any shape.
#pragma once
#include "host/ops/common.h"

namespace convlab {

struct ReluCache {
  Tensor x;
};

struct ReluImpl {
  static constexpr const char* name = "relu";
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

}  // namespace convlab
