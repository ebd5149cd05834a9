#include "host/ops/dropout/dropout.h"
#include "models/layers.h"

namespace convlab {

DropoutLayer::DropoutLayer(const Shape& in, double keep_ratio, uint64_t seed)
    : shape_(in), keep_(keep_ratio), seed_(seed) {
  CONVLAB_CHECK(keep_ratio > 0.0 && keep_ratio <= 1.0,
                "dropout layer: keep ratio must be in (0, 1], got " << keep_ratio);
  bind(Device::cpu);
}

Tensor DropoutLayer::forward(const Tensor& x, Mode mode) {
  DropoutParam p;
  p.mode = mode;
  p.p = keep_;
  p.seed = seed_ + static_cast<uint64_t>(step_);
  auto f = op_.impl.forward(x, p);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor DropoutLayer::backward(const Tensor& dout) { return op_.impl.backward(dout, cache_); }

}  // namespace convlab
