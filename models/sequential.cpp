#include "models/sequential.h"

#include "models/layers.h"
#include "models/model_factory.h"

namespace convlab {

namespace {
using config::JsonReader;

const std::vector<std::string> kLayerTypes = {"conv",   "spatial_batchnorm", "spatial_groupnorm", "relu",    "max_pool",
                                              "affine", "batchnorm",         "layernorm",         "dropout", "gelu",
                                              "scale"};

// One layer from its JSON object; `weight_index` counts the weight layers so far.
LayerPtr make_layer(JsonReader& l, const Shape& in, int& weight_index, NumpyRandom& rng, const WeightInit& init,
                    uint64_t dropout_seed) {
  const std::string type = l.string("type", std::nullopt, kLayerTypes);
  auto need_spatial = [&]() {
    if (in.size() != 3)
      l.fail("type", "a " + type + " layer needs (C, H, W) input, but the previous layer gives " + shape_str(in));
  };
  auto need_flat = [&]() {
    if (in.size() != 1)
      l.fail("type", "a " + type +
                         " layer needs (D,) input (put it after an affine layer), but the previous layer "
                         "gives " +
                         shape_str(in));
  };
  if (type == "conv") {
    need_spatial();
    const int64_t F = l.integer("num_filters", std::nullopt, 1, 1 << 16);
    const int64_t k = l.integer("filter_size", 3, 1, 63);
    ConvParam p;
    p.stride = static_cast<int>(l.integer("stride", 1, 1, 64));
    const nlohmann::json& pad = l.value("pad");
    if (pad.is_null() || (pad.is_string() && pad.get<std::string>() == "same")) {
      if (k % 2 == 0) l.fail("filter_size", "pad \"same\" needs an odd filter_size, got " + std::to_string(k));
      p.pad = static_cast<int>((k - 1) / 2);
    } else {
      p.pad = static_cast<int>(l.integer("pad", 0, 0, 64));
    }
    const int64_t hp = in[1] + 2 * p.pad - k, wp = in[2] + 2 * p.pad - k;
    if (hp < 0 || wp < 0) l.fail("filter_size", "filter " + std::to_string(k) + " does not fit input " + shape_str(in));
    ConvOptions co;
    co.bias = l.boolean("bias", true);
    const std::string ci = l.string("init", std::string("default"), {"default", "dirac", "whiten"});
    co.init = ci == "dirac"    ? ConvOptions::Init::dirac
              : ci == "whiten" ? ConvOptions::Init::whiten
                               : ConvOptions::Init::draw;
    if (co.init == ConvOptions::Init::whiten) {
      co.whiten_images = l.integer("whiten_images", co.whiten_images, 1, 1 << 24);
      co.whiten_eps = l.number("whiten_eps", co.whiten_eps, 0.0, 1e6, true);
      const int64_t K = in[0] * k * k;
      if (F != 2 * K)
        l.fail("num_filters", "\"init\": \"whiten\" needs num_filters = 2 x channels x filter_size^2 = " +
                                  std::to_string(2 * K) + ", got " + std::to_string(F));
    }
    return std::make_unique<ConvLayer>(in, F, k, p, ++weight_index, rng, init, co);
  }
  if (type == "affine") {
    const int64_t out = l.integer("out_dim", std::nullopt, 1, 1 << 24);
    return std::make_unique<AffineLayer>(in, out, ++weight_index, rng, init, l.boolean("bias", true));
  }
  if (type == "relu") return std::make_unique<ReluLayer>(in);
  if (type == "gelu") return std::make_unique<GeluLayer>(in);
  if (type == "scale") return std::make_unique<ScaleLayer>(in, l.number("factor", std::nullopt, 0.0, 1e6, true));
  if (type == "max_pool") {
    need_spatial();
    const int64_t size = l.integer("pool_size", 2, 1, 64);
    PoolParam p;
    p.pool_height = p.pool_width = static_cast<int>(size);
    p.stride = static_cast<int>(l.integer("stride", size, 1, 64));
    if (in[1] < size || in[2] < size)
      l.fail("pool_size", "pool " + std::to_string(size) + " larger than input " + shape_str(in));
    return std::make_unique<MaxPoolLayer>(in, p);
  }
  if (type == "dropout") {
    const double keep = l.number("keep_ratio", 0.5, 0.0, 1.0, true);
    return std::make_unique<DropoutLayer>(in, keep, dropout_seed);
  }
  NormOptions no;
  no.eps = l.number("eps", no.eps, 0.0, 1.0, true);
  no.scale = l.boolean("scale", true);
  NormKind kind = NormKind::batchnorm;
  if (type == "batchnorm" || type == "spatial_batchnorm") {
    // "cs231n": running = m running + (1 - m) batch; "pytorch": running =
    // (1 - m) running + m batch (PyTorch's 0.1 is cs231n's 0.9, its default).
    // The ops take the cs231n convention.
    const bool pytorch = l.string("momentum_convention", std::string("cs231n"), {"cs231n", "pytorch"}) == "pytorch";
    no.momentum =
        pytorch ? 1.0 - l.number("momentum", 1.0 - no.momentum, 0.0, 1.0) : l.number("momentum", no.momentum, 0.0, 1.0);
    kind = type == "batchnorm" ? NormKind::batchnorm : NormKind::spatial_batchnorm;
  } else if (type == "layernorm") {
    kind = NormKind::layernorm;
  } else {
    kind = NormKind::spatial_groupnorm;
    no.groups = static_cast<int>(l.integer("groups", std::nullopt, 1, 1 << 16));
  }
  if (kind == NormKind::batchnorm || kind == NormKind::layernorm)
    need_flat();
  else
    need_spatial();
  if (kind == NormKind::spatial_groupnorm && in[0] % no.groups != 0)
    l.fail("groups", "must divide the " + std::to_string(in[0]) + " channels, got " + std::to_string(no.groups));
  return std::make_unique<NormLayer>(kind, in, weight_index, no, init.dtype);
}
}  // namespace

std::unique_ptr<LayerStackModel> make_sequential(JsonReader& r, NumpyRandom& rng) {
  const std::vector<int64_t> dims = r.integer_list("input_dim", std::vector<int64_t>{3, 32, 32}, 1, kMaxModelDim);
  if (dims.empty() || dims.size() > 3) r.fail("input_dim", "expected [C, H, W] or [D]");
  const int64_t num_classes = r.integer("num_classes", 10, 2, 1 << 20);
  WeightInit init;
  const nlohmann::json& ws = r.value("weight_scale");
  if (ws.is_string()) {
    const std::string rule = ws.get<std::string>();
    if (rule != "kaiming" && rule != "pytorch")
      r.fail("weight_scale", "expected a number > 0, \"kaiming\" or \"pytorch\", got " + config::json_brief(ws));
    init.rule = rule == "kaiming" ? InitRule::kaiming : InitRule::pytorch;
  } else {
    init.weight_scale = r.number("weight_scale", 1e-3, 0.0, 1e3, true);
  }
  const double reg = r.number("reg", 0.0, 0.0);
  const std::string loss = r.string("loss", std::string("softmax"), {"softmax", "svm"});
  init.dtype = r.string("dtype", std::string("float32"), {"float32", "float64"}) == "float64" ? DType::f64 : DType::f32;
  const uint64_t dropout_seed = static_cast<uint64_t>(r.integer("seed", 0, 0));

  const nlohmann::json& list = r.value("layers");
  if (!list.is_array() || list.empty())
    r.fail("layers", "expected a non-empty list of layer objects, got " + config::json_brief(list));
  std::vector<LayerPtr> layers;
  Shape shape(dims.begin(), dims.end());
  int weight_index = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    JsonReader l(list[i], r.path_of("layers") + "[" + std::to_string(i) + "]");
    layers.push_back(make_layer(l, shape, weight_index, rng, init, dropout_seed));
    l.finish();
    shape = layers.back()->output_shape();
  }
  if (shape != Shape{num_classes})
    r.fail("layers", "the last layer must output num_classes = " + std::to_string(num_classes) + " scores, got " +
                         shape_str(shape) +
                         " (end with {\"type\": \"affine\", \"out_dim\": " + std::to_string(num_classes) + "})");
  const bool fusion = r.boolean("fusion", true);
  nlohmann::json d = r.value("layers");
  nlohmann::json desc = {{"type", "sequential"}, {"input_dim", dims}, {"num_classes", num_classes},
                         {"reg", reg},           {"loss", loss},      {"layers", d}};
  desc["weight_scale"] = init.rule == InitRule::scale     ? nlohmann::json(init.weight_scale)
                         : init.rule == InitRule::kaiming ? nlohmann::json("kaiming")
                                                          : nlohmann::json("pytorch");
  desc["fusion"] = fusion;
  return std::make_unique<LayerStackModel>("sequential", std::move(layers), reg,
                                           loss == "svm" ? LossKind::svm : LossKind::softmax, init.dtype, desc, fusion);
}

}  // namespace convlab
