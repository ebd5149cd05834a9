#include "host/ops/gelu/gelu.h"
#include "models/layers.h"

namespace convlab {

Tensor GeluLayer::forward(const Tensor& x, Mode) {
  auto f = op_.impl.forward(x);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor GeluLayer::backward(const Tensor& dout) { return op_.impl.backward(dout, cache_); }

}  // namespace convlab
