#include <cmath>

#include "host/fill.h"
#include "models/layer.h"

namespace convlab {

void Layer::to(Device device) {
  for (auto& p : params_) {
    p.value = p.value.to(device);
    p.grad = Tensor();
  }
  bind(device);
}

Tensor Layer::keep_grads(const Grads& g) {
  params_.at(0).grad = g.dw;
  if (params_.size() > 1) params_.at(1).grad = g.db;  // a conv with "bias": false has no b
  return g.dx;
}

Tensor Layer::keep_grads(const NormGrads& g) {
  if (params_.size() > 1) {
    params_.at(0).grad = g.dgamma;
    params_.at(1).grad = g.dbeta;
  } else {
    params_.at(0).grad = g.dbeta;  // "scale": false: gamma is fixed, beta the one parameter
  }
  return g.dx;
}

Tensor Layer::draw_weight(NumpyRandom& rng, const Shape& shape, int64_t fan_in, const WeightInit& init) {
  const double fan = static_cast<double>(fan_in);
  switch (init.rule) {
    case InitRule::kaiming:
      return randn(rng, shape, init.dtype, std::sqrt(2.0 / fan));
    case InitRule::pytorch:
      return uniform(rng, shape, -1.0 / std::sqrt(fan), 1.0 / std::sqrt(fan), init.dtype);
    case InitRule::scale:
      break;
  }
  return randn(rng, shape, init.dtype, init.weight_scale);
}

}  // namespace convlab
