#include "host/ops/relu/relu.h"
#include "models/layers.h"

namespace convlab {

Tensor ReluLayer::forward(const Tensor& x, Mode) {
  auto f = op_.impl.forward(x);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor ReluLayer::backward(const Tensor& dout) { return op_.impl.backward(dout, cache_); }

}  // namespace convlab
