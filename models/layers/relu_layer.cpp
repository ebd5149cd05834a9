#include "host/ops/relu/relu.h"
#include "models/layers.h"

namespace convlab {

Tensor ReluLayer::forward(const Tensor& x, Mode) {
  auto f = relu_forward(x);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor ReluLayer::backward(const Tensor& dout) { return relu_backward(dout, cache_); }

}  // namespace convlab
