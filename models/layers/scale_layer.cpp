#include <cmath>

#include "host/ops/scale/scale.h"
#include "models/layers.h"

namespace convlab {

ScaleLayer::ScaleLayer(const Shape& in, double factor) : shape_(in), factor_(factor) {
  CONVLAB_CHECK(std::isfinite(factor), "scale layer: factor must be finite, got " << factor);
  bind(Device::cpu);
}

Tensor ScaleLayer::forward(const Tensor& x, Mode) { return op_.impl.apply(x, factor_); }

// d(factor * x)/dx = factor; the first layer's input needs no gradient.
Tensor ScaleLayer::backward(const Tensor& dout) { return input_needs_grad_ ? op_.impl.apply(dout, factor_) : Tensor(); }

}  // namespace convlab
