#include <cmath>

#include "host/fill.h"
#include "models/layer.h"

namespace convlab {

void Layer::to(Device device) {
  for (auto& p : params_) {
    p.value = p.value.to(device);
    p.grad = Tensor();
  }
}

Tensor Layer::keep_grads(const Grads3& g) {
  params_.at(0).grad = g.d1;
  params_.at(1).grad = g.d2;
  return g.dx;
}

Tensor Layer::draw_weight(NumpyRandom& rng, const Shape& shape, int64_t fan_in, const WeightInit& init) {
  const double scale = init.kaiming ? std::sqrt(2.0 / static_cast<double>(fan_in)) : init.weight_scale;
  return randn(rng, shape, init.dtype, scale);
}

}  // namespace convlab
