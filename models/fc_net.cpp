#include "models/fc_net.h"

#include "models/layers.h"

namespace convlab {

std::unique_ptr<LayerStackModel> make_fc_net(const FullyConnectedNetOptions& o, NumpyRandom& rng) {
  CONVLAB_CHECK(o.input_dim >= 1 && o.num_classes >= 1, "fc_net: input_dim and num_classes must be >= 1");
  const WeightInit init{o.weight_scale, InitRule::scale, o.dtype};
  const bool dropout = o.dropout_keep_ratio != 1.0;
  const uint64_t seed = o.seed ? *o.seed : (dropout ? rng.next_uint32() : 0);
  std::vector<LayerPtr> layers;
  Shape shape = {o.input_dim};
  int index = 1;
  for (int64_t h : o.hidden_dims) {
    layers.push_back(std::make_unique<AffineLayer>(shape, h, index, rng, init));
    shape = layers.back()->output_shape();
    if (o.normalization != Normalization::none) {
      const NormKind k = o.normalization == Normalization::batchnorm ? NormKind::batchnorm : NormKind::layernorm;
      layers.push_back(std::make_unique<NormLayer>(k, shape, index, NormOptions{}, o.dtype));
    }
    layers.push_back(std::make_unique<ReluLayer>(shape));
    if (dropout) layers.push_back(std::make_unique<DropoutLayer>(shape, o.dropout_keep_ratio, seed));
    ++index;
  }
  layers.push_back(std::make_unique<AffineLayer>(shape, o.num_classes, index, rng, init));
  const char* norm = o.normalization == Normalization::none        ? "none"
                     : o.normalization == Normalization::batchnorm ? "batchnorm"
                                                                   : "layernorm";
  nlohmann::json d = {{"type", "fc_net"},
                      {"hidden_dims", o.hidden_dims},
                      {"input_dim", o.input_dim},
                      {"num_classes", o.num_classes},
                      {"dropout_keep_ratio", o.dropout_keep_ratio},
                      {"normalization", norm},
                      {"reg", o.reg},
                      {"weight_scale", o.weight_scale}};
  return std::make_unique<LayerStackModel>("fc_net", std::move(layers), o.reg, LossKind::softmax, o.dtype, d);
}

}  // namespace convlab
