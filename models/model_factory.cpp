#include "models/model_factory.h"

#include "host/config/json_reader.h"
#include "models/fc_net.h"
#include "models/sequential.h"
#include "models/three_layer_convnet.h"

namespace convlab {

namespace {
using config::JsonReader;

DType read_dtype(JsonReader& r) {
  return r.string("dtype", std::string("float32"), {"float32", "float64"}) == "float64" ? DType::f64 : DType::f32;
}

Shape read_input_dim(JsonReader& r, const Shape& def) {
  const std::vector<int64_t> v =
      r.integer_list("input_dim", std::vector<int64_t>(def.begin(), def.end()), 1, kMaxModelDim);
  CONVLAB_CHECK(v.size() == 3, r.path_of("input_dim") << ": expected [C, H, W], got " << v.size() << " numbers");
  return Shape(v.begin(), v.end());
}

// "label_smoothing", "loss_reduction" and "sync_batchnorm", common to the layer-stack models.
void read_stack_options(JsonReader& r, LayerStackModel& m, bool svm) {
  m.set_sync_batchnorm(r.boolean("sync_batchnorm", false));
  LossOptions o;
  o.label_smoothing = r.number("label_smoothing", 0.0, 0.0, 1.0);
  if (o.label_smoothing >= 1.0) r.fail("label_smoothing", "expected a number in [0, 1), got 1");
  if (svm && o.label_smoothing != 0.0)
    r.fail("label_smoothing", "applies to loss \"softmax\" only (svm_loss has no label smoothing); remove it");
  o.reduction = r.string("loss_reduction", std::string("mean"), {"mean", "sum"}) == "sum" ? LossReduction::sum
                                                                                          : LossReduction::mean;
  m.set_loss_options(o);
}

}  // namespace

std::vector<std::string> model_types() { return {"three_layer_convnet", "fc_net", "sequential"}; }

ModelPtr build_model(const nlohmann::json& spec, NumpyRandom& rng, const std::string& path) {
  JsonReader r(spec, path);
  const std::string type = r.string("type", std::nullopt, model_types());
  ModelPtr model;
  if (type == "three_layer_convnet") {
    ThreeLayerConvNetOptions o;
    o.input_dim = read_input_dim(r, o.input_dim);
    o.num_filters = r.integer("num_filters", o.num_filters, 1, 4096);
    o.filter_size = r.integer("filter_size", o.filter_size, 1, 31);
    if (o.filter_size % 2 == 0)
      r.fail("filter_size", "expected an odd integer (the conv keeps the size), got " + std::to_string(o.filter_size));
    o.hidden_dim = r.integer("hidden_dim", o.hidden_dim, 1, 1 << 20);
    o.num_classes = r.integer("num_classes", o.num_classes, 2, 1 << 20);
    o.weight_scale = r.number("weight_scale", o.weight_scale, 0.0, 1e3, true);
    o.reg = r.number("reg", o.reg, 0.0);
    o.dtype = read_dtype(r);
    o.fusion = r.boolean("fusion", true);
    auto m = make_three_layer_convnet(o, rng);
    read_stack_options(r, *m, false);
    model = std::move(m);
  } else if (type == "fc_net") {
    FullyConnectedNetOptions o;
    o.hidden_dims = r.integer_list("hidden_dims", o.hidden_dims, 1, kMaxModelDim);
    o.input_dim = r.integer("input_dim", o.input_dim, 1, kMaxModelDim);
    o.num_classes = r.integer("num_classes", o.num_classes, 2, 1 << 20);
    o.dropout_keep_ratio = r.number("dropout_keep_ratio", o.dropout_keep_ratio, 0.0, 1.0, true);
    const std::string norm = r.string("normalization", std::string("none"), {"none", "batchnorm", "layernorm"});
    o.normalization = norm == "batchnorm"   ? Normalization::batchnorm
                      : norm == "layernorm" ? Normalization::layernorm
                                            : Normalization::none;
    o.reg = r.number("reg", o.reg, 0.0);
    o.weight_scale = r.number("weight_scale", o.weight_scale, 0.0, 1e3, true);
    o.dtype = read_dtype(r);
    if (r.has("seed"))
      o.seed = static_cast<uint64_t>(r.integer("seed", 0, 0));
    else
      r.allow("seed");
    auto m = make_fc_net(o, rng);
    read_stack_options(r, *m, false);
    model = std::move(m);
  } else {
    auto m = make_sequential(r, rng);
    read_stack_options(r, *m, r.value("loss") == "svm");
    model = std::move(m);
  }
  r.finish();
  return model;
}

}  // namespace convlab
