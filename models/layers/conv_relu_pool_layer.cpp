#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "models/layers.h"

namespace convlab {

ConvReluPoolLayer::ConvReluPoolLayer(ConvLayer& conv, const MaxPoolLayer& pool)
    : fixed_bias_(conv.has_bias() ? Tensor() : conv.bias()),
      conv_param_(conv.param()),
      pool_param_(pool.param()),
      out_(pool.output_shape()),
      label_(conv.label() + "+relu+max_pool") {
  params_ = std::move(conv.params());
  conv.params().clear();
  set_input_needs_grad(conv.input_needs_grad());
  bind(Device::cpu);
}

Tensor ConvReluPoolLayer::forward(const Tensor& x, Mode) {
  auto f = op_.impl.forward(x, params_[0].value, fixed_bias_.defined() ? fixed_bias_ : params_[1].value, conv_param_,
                            pool_param_);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor ConvReluPoolLayer::backward(const Tensor& dout) {
  Grads g = op_.impl.backward(dout, cache_, input_needs_grad_);
  return keep_grads(g);
}

void ConvReluPoolLayer::to(Device device) {
  Layer::to(device);
  if (fixed_bias_.defined()) fixed_bias_ = fixed_bias_.to(device);
}

void fuse_conv_relu_pool(std::vector<LayerPtr>& layers) {
  std::vector<LayerPtr> fused;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    auto* conv = dynamic_cast<ConvLayer*>(layers[i].get());
    // A conv initialised from data (whitening) stays a layer of its own: the fused layer has no such hook.
    if (conv && conv->data_init_samples() == 0 && i + 2 < layers.size() &&
        dynamic_cast<ReluLayer*>(layers[i + 1].get())) {
      if (auto* pool = dynamic_cast<MaxPoolLayer*>(layers[i + 2].get())) {
        fused.push_back(std::make_unique<ConvReluPoolLayer>(*conv, *pool));
        i += 2;
        continue;
      }
    }
    fused.push_back(std::move(layers[i]));
  }
  layers = std::move(fused);
}

}  // namespace convlab
