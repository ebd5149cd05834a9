#include "models/three_layer_convnet.h"

#include "models/layers.h"

namespace convlab {

std::unique_ptr<LayerStackModel> make_three_layer_convnet(const ThreeLayerConvNetOptions& o, NumpyRandom& rng) {
  CONVLAB_CHECK(o.input_dim.size() == 3,
                "three_layer_convnet: input_dim must be (C, H, W), got " << shape_str(o.input_dim));
  CONVLAB_CHECK(o.filter_size % 2 == 1,
                "three_layer_convnet: filter_size must be odd so that the conv keeps the size, got " << o.filter_size);
  const WeightInit init{o.weight_scale, InitRule::scale, o.dtype};
  std::vector<LayerPtr> layers;
  ConvParam cp;
  cp.stride = 1;
  cp.pad = static_cast<int>((o.filter_size - 1) / 2);
  layers.push_back(std::make_unique<ConvLayer>(o.input_dim, o.num_filters, o.filter_size, cp, 1, rng, init));
  layers.push_back(std::make_unique<ReluLayer>(layers.back()->output_shape()));
  layers.push_back(std::make_unique<MaxPoolLayer>(layers.back()->output_shape(), PoolParam{2, 2, 2}));
  layers.push_back(std::make_unique<AffineLayer>(layers.back()->output_shape(), o.hidden_dim, 2, rng, init));
  layers.push_back(std::make_unique<ReluLayer>(layers.back()->output_shape()));
  layers.push_back(std::make_unique<AffineLayer>(layers.back()->output_shape(), o.num_classes, 3, rng, init));
  nlohmann::json d = {{"type", "three_layer_convnet"},
                      {"input_dim", o.input_dim},
                      {"num_filters", o.num_filters},
                      {"filter_size", o.filter_size},
                      {"hidden_dim", o.hidden_dim},
                      {"num_classes", o.num_classes},
                      {"weight_scale", o.weight_scale},
                      {"reg", o.reg},
                      {"fusion", o.fusion}};
  return std::make_unique<LayerStackModel>("three_layer_convnet", std::move(layers), o.reg, LossKind::softmax, o.dtype,
                                           d, o.fusion);
}

}  // namespace convlab
