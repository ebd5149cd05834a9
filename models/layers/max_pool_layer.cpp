#include "host/ops/max_pool/max_pool.h"
#include "models/layers.h"

namespace convlab {

MaxPoolLayer::MaxPoolLayer(const Shape& in, PoolParam param) : param_(param) {
  CONVLAB_CHECK(in.size() == 3, "max_pool layer: expects (C, H, W) input per sample, got " << shape_str(in));
  const PoolDims d = pool_dims(Shape{1, in[0], in[1], in[2]}, param);
  out_ = {in[0], d.Hout, d.Wout};
  bind(Device::cpu);
}

Tensor MaxPoolLayer::forward(const Tensor& x, Mode) {
  auto f = op_.impl.forward(x, param_);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor MaxPoolLayer::backward(const Tensor& dout) { return op_.impl.backward(dout, cache_); }

}  // namespace convlab
