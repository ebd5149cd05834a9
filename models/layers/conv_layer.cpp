#include "host/ops/conv/conv.h"
#include "models/layers.h"

namespace convlab {

ConvLayer::ConvLayer(const Shape& in, int64_t num_filters, int64_t filter_size, ConvParam param, int index,
                     NumpyRandom& rng, const WeightInit& init)
    : param_(param) {
  CONVLAB_CHECK(in.size() == 3, "conv layer: expects (C, H, W) input per sample, got " << shape_str(in));
  CONVLAB_CHECK(num_filters >= 1 && filter_size >= 1, "conv layer: num_filters and filter_size must be >= 1");
  const int64_t C = in[0];
  const ConvDims d = conv_dims({1, C, in[1], in[2]}, {num_filters, C, filter_size, filter_size}, param);
  out_ = {num_filters, d.Hout, d.Wout};
  const std::string k = std::to_string(index);
  label_ = "conv" + k;
  bind(Device::cpu);
  params_.push_back({"W" + k,
                     draw_weight(rng, {num_filters, C, filter_size, filter_size}, C * filter_size * filter_size, init),
                     Tensor(), true});
  params_.push_back({"b" + k, Tensor::zeros({num_filters}, init.dtype), Tensor(), false});
}

Tensor ConvLayer::forward(const Tensor& x, Mode) {
  auto f = op_.impl.forward(x, params_[0].value, params_[1].value, param_);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor ConvLayer::backward(const Tensor& dout) {
  Grads g = op_.impl.backward(dout, cache_, input_needs_grad_);
  return keep_grads(g);
}

}  // namespace convlab
