#include "host/ops/affine/affine.h"
#include "models/layers.h"

namespace convlab {

AffineLayer::AffineLayer(const Shape& in, int64_t out_dim, int index, NumpyRandom& rng, const WeightInit& init,
                         bool bias)
    : out_dim_(out_dim) {
  CONVLAB_CHECK(out_dim >= 1, "affine layer: output size must be >= 1, got " << out_dim);
  const int64_t D = shape_numel(in);
  const std::string k = std::to_string(index);
  label_ = "affine" + k;
  bind(Device::cpu);
  params_.push_back({"W" + k, draw_weight(rng, {D, out_dim}, D, init), Tensor(), true});
  if (bias)
    params_.push_back({"b" + k, Tensor::zeros({out_dim}, init.dtype), Tensor(), false});
  else
    fixed_bias_ = Tensor::zeros({out_dim}, init.dtype);
}

void AffineLayer::to(Device device) {
  Layer::to(device);
  if (fixed_bias_.defined()) fixed_bias_ = fixed_bias_.to(device);
}

Tensor AffineLayer::forward(const Tensor& x, Mode) {
  auto f = op_.impl.forward(x, params_[0].value, bias());
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor AffineLayer::backward(const Tensor& dout) {
  Grads g = op_.impl.backward(dout, cache_, input_needs_grad_);
  return keep_grads(g);
}

}  // namespace convlab
