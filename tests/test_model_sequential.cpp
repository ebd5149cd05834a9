// sequential: stacks built from JSON, names, shapes, gradient checks in double.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/ops/loss/loss.h"
#include "host/ops/registry.h"
#include "model_test_util.h"
#include "models/model_factory.h"

using namespace convlab;
using nlohmann::json;

TEST(Sequential, ConvNormPoolStackHasNumberedParamsAndCorrectGradients) {
  const json spec = json::parse(R"({
    "type": "sequential", "input_dim": [3, 8, 8], "num_classes": 5, "dtype": "float64",
    "weight_scale": 0.2, "reg": 0.1,
    "layers": [
      {"type": "conv", "num_filters": 4, "filter_size": 3},
      {"type": "spatial_batchnorm"},
      {"type": "relu"},
      {"type": "conv", "num_filters": 4, "filter_size": 3, "stride": 2, "pad": 1},
      {"type": "spatial_groupnorm", "groups": 2},
      {"type": "relu"},
      {"type": "max_pool", "pool_size": 2},
      {"type": "affine", "out_dim": 6},
      {"type": "layernorm"},
      {"type": "relu"},
      {"type": "affine", "out_dim": 6},
      {"type": "batchnorm"},
      {"type": "relu"},
      {"type": "affine", "out_dim": 5}
    ]})");
  NumpyRandom rng(231);
  ModelPtr model = build_model(spec, rng);
  const auto p = model->params();
  EXPECT_EQ(p.size(), 18u);
  EXPECT_EQ(p.at("W1").shape(), (Shape{4, 3, 3, 3}));
  EXPECT_EQ(p.at("gamma1").shape(), (Shape{4}));
  EXPECT_EQ(p.at("W2").shape(), (Shape{4, 4, 3, 3}));
  EXPECT_EQ(p.at("gamma2").shape(), (Shape{4}));
  EXPECT_EQ(p.at("W3").shape(), (Shape{4 * 2 * 2, 6}));
  EXPECT_EQ(p.at("gamma3").shape(), (Shape{6}));
  EXPECT_EQ(p.at("W5").shape(), (Shape{6, 5}));
  EXPECT_EQ(model->buffers().size(), 4u);  // running stats of the two batchnorms

  const Tensor X = randn(rng, {3, 3, 8, 8});
  const Tensor y = randint(rng, 0, 5, 3);
  EXPECT_EQ(model->scores(X).shape(), (Shape{3, 5}));
  // b1 and b4 feed a batchnorm and have a zero gradient, so the max relative
  // error would measure rounding noise: compare elementwise with an absolute floor.
  std::map<std::string, int64_t> bad;
  EXPECT_EQ(test::model_grad_mismatches(*model, X, y, 1e-6, 1e-2, 1e-8, &bad), 0);
  EXPECT_EQ(bad.size(), 18u);
  for (const auto& kv : bad) EXPECT_EQ(kv.second, 0) << kv.first;
  const auto g = model->grads();
  for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(g.at("b1").item(i), 0.0, 1e-12);
}

TEST(Sequential, KaimingInitScalesByFanIn) {
  const json spec = json::parse(R"({"type": "sequential", "input_dim": [2, 4, 4], "num_classes": 10,
    "weight_scale": "kaiming",
    "layers": [{"type": "conv", "num_filters": 64, "filter_size": 3}, {"type": "relu"},
               {"type": "affine", "out_dim": 10}]})");
  NumpyRandom rng(0);
  ModelPtr model = build_model(spec, rng);
  const Tensor W1 = model->params().at("W1");
  double s = 0;
  for (int64_t i = 0; i < W1.numel(); ++i) s += W1.item(i) * W1.item(i);
  EXPECT_NEAR(std::sqrt(s / double(W1.numel())), std::sqrt(2.0 / 18.0), 0.03);
}

TEST(Sequential, SvmLossAndDropoutLayer) {
  const json spec = json::parse(R"({"type": "sequential", "input_dim": [6], "num_classes": 3, "dtype": "float64",
    "weight_scale": 0.5, "loss": "svm", "seed": 3,
    "layers": [{"type": "affine", "out_dim": 8}, {"type": "relu"}, {"type": "dropout", "keep_ratio": 0.6},
               {"type": "affine", "out_dim": 3}]})");
  NumpyRandom rng(4);
  ModelPtr model = build_model(spec, rng);
  const Tensor X = randn(rng, {5, 6});
  const Tensor y = randint(rng, 0, 3, 5);
  for (const auto& kv : test::model_grad_errors(*model, X, y, 1e-6)) {
    SCOPED_TRACE(kv.first);
    EXPECT_LE(kv.second, 1e-5);
  }
}

namespace {
const json kConvPoolStack = json::parse(R"({
    "type": "sequential", "input_dim": [3, 10, 10], "num_classes": 4, "dtype": "float64",
    "weight_scale": 0.1, "reg": 0.05,
    "layers": [
      {"type": "conv", "num_filters": 5, "filter_size": 3},
      {"type": "relu"},
      {"type": "max_pool", "pool_size": 2},
      {"type": "conv", "num_filters": 6, "filter_size": 3},
      {"type": "relu"},
      {"type": "max_pool", "pool_size": 2},
      {"type": "affine", "out_dim": 4}
    ]})");
}  // namespace

// conv, relu, max_pool runs become one fused conv_relu_pool layer: the model
// gives the same loss and gradients as the chain of reference ops (the same
// model built with "fusion": false while the reference variants are preferred).
TEST(Sequential, FusedConvReluPoolMatchesTheReferenceChain) {
  NumpyRandom rng(5), data_rng(6);
  ModelPtr model = build_model(kConvPoolStack, rng);
  const Tensor X = randn(data_rng, {4, 3, 10, 10});
  const Tensor y = randint(data_rng, 0, 4, 4);
  const double fused_loss = model->loss(X, y).item();
  std::map<std::string, Tensor> fused;
  for (auto& kv : model->grads()) fused[kv.first] = kv.second.clone();
  json unfused = kConvPoolStack;
  unfused["fusion"] = false;
  set_preferred_variant(Device::cpu, "reference");
  NumpyRandom rng2(5);
  ModelPtr chain_model = build_model(unfused, rng2);
  set_preferred_variant(Device::cpu, "");
  const double chain_loss = chain_model->loss(X, y).item();
  auto chain = chain_model->grads();
  EXPECT_NEAR(fused_loss, chain_loss, 1e-12);
  ASSERT_EQ(fused.size(), 6u);
  for (const auto& kv : fused) EXPECT_LT(rel_error(kv.second, chain.at(kv.first)), 1e-10) << kv.first;
  EXPECT_EQ(chain_model->plan().front(), "conv1 -> conv cpu/reference");
}

// The start-up plan names each layer's op, device and variant, fusions shown;
// "fusion": false keeps the three layers apart.
TEST(Sequential, PlanShowsFusionsAndTheSwitchTurnsThemOff) {
  NumpyRandom rng(5);
  const std::vector<std::string> fused = build_model(kConvPoolStack, rng)->plan();
  const std::vector<std::string> expect_fused = {
      "conv1+relu+max_pool -> conv_relu_pool cpu/threaded", "conv2+relu+max_pool -> conv_relu_pool cpu/threaded",
      "affine3 -> affine cpu/threaded", "loss -> softmax_loss cpu/threaded", "fusion on"};
  EXPECT_EQ(fused, expect_fused);
  json unfused = kConvPoolStack;
  unfused["fusion"] = false;
  ModelPtr model = build_model(unfused, rng);
  const std::vector<std::string> plan = model->plan();
  ASSERT_EQ(plan.size(), 9u);
  EXPECT_EQ(plan[0], "conv1 -> conv cpu/threaded");
  EXPECT_EQ(plan[1], "relu -> relu cpu/threaded");
  EXPECT_EQ(plan[2], "max_pool -> max_pool cpu/threaded");
  EXPECT_EQ(plan.back(), "fusion off (model.fusion = false)");
  EXPECT_EQ(model->describe().at("fusion"), false);
}

// A layer looks its implementation up once, when built and when moved to a
// device, not on every call: a preferred variant set later takes effect at
// the next to().
TEST(Sequential, LayersBindTheirVariantAtConstructionAndOnDeviceChange) {
  NumpyRandom rng(5);
  ModelPtr model = build_model(kConvPoolStack, rng);
  set_preferred_variant(Device::cpu, "reference");
  EXPECT_EQ(model->plan().front(), "conv1+relu+max_pool -> conv_relu_pool cpu/threaded");
  model->to(Device::cpu);
  EXPECT_EQ(model->plan().front(), "conv1+relu+max_pool -> conv_relu_pool cpu/reference");
  set_preferred_variant(Device::cpu, "");
}

namespace {

// The running mean and variance of the model's one batchnorm layer.
std::pair<std::vector<double>, std::vector<double>> running_stats(Model& m) {
  std::vector<double> mean, var;
  for (const auto& kv : m.buffers()) {
    if (kv.first.rfind("running_mean", 0) == 0) mean = kv.second.to_vector();
    if (kv.first.rfind("running_var", 0) == 0) var = kv.second.to_vector();
  }
  return {mean, var};
}

void expect_vector_near(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << what << " [" << i << "]";
}

// A batchnorm layer on (2,) inputs with `bn` extra keys, then the scores.
ModelPtr batchnorm_model(const json& bn) {
  json spec = json::parse(R"({"type": "sequential", "input_dim": [2], "num_classes": 2, "dtype": "float64",
    "layers": [{"type": "batchnorm"}, {"type": "affine", "out_dim": 2}]})");
  for (const auto& kv : bn.items()) spec["layers"][0][kv.key()] = kv.value();
  NumpyRandom rng(1);
  return build_model(spec, rng);
}

}  // namespace

TEST(Sequential, BatchnormMomentumConventions) {
  // X = [[1, 2], [3, 6]]: batch mean [2, 4], biased variance [1, 4]; running stats start at 0.
  const Tensor X = Tensor::from_vector({1, 2, 3, 6}, {2, 2});
  const Tensor y = Tensor::from_vector({0, 1}, {2}, DType::i32);
  struct Case {
    json keys;
    std::vector<double> mean1, var1, mean2, var2;  // after one and two steps on X
  };
  const Case cases[] = {
      // PyTorch's 0.4 (airbench): running = 0.6 running + 0.4 batch.
      {{{"momentum", 0.4}, {"momentum_convention", "pytorch"}}, {0.8, 1.6}, {0.4, 1.6}, {1.28, 2.56}, {0.64, 2.56}},
      // cs231n's 0.4: running = 0.4 running + 0.6 batch.
      {{{"momentum", 0.4}}, {1.2, 2.4}, {0.6, 2.4}, {1.68, 3.36}, {0.84, 3.36}},
      // The defaults, cs231n's 0.9 and PyTorch's 0.1, are the same.
      {json::object(), {0.2, 0.4}, {0.1, 0.4}, {0.38, 0.76}, {0.19, 0.76}},
      {{{"momentum_convention", "pytorch"}}, {0.2, 0.4}, {0.1, 0.4}, {0.38, 0.76}, {0.19, 0.76}},
  };
  for (const Case& c : cases) {
    const std::string what = c.keys.dump();
    ModelPtr m = batchnorm_model(c.keys);
    m->loss(X, y);
    auto s = running_stats(*m);
    expect_vector_near(s.first, c.mean1, what + " mean, step 1");
    expect_vector_near(s.second, c.var1, what + " var, step 1");
    m->loss(X, y);
    s = running_stats(*m);
    expect_vector_near(s.first, c.mean2, what + " mean, step 2");
    expect_vector_near(s.second, c.var2, what + " var, step 2");
  }
  // spatial_batchnorm: one channel holding 1, 3, 5, 7 (mean 4, biased variance 5), PyTorch's 0.25.
  const json spec = json::parse(R"({"type": "sequential", "input_dim": [1, 1, 2], "num_classes": 2, "dtype": "float64",
    "layers": [{"type": "spatial_batchnorm", "momentum": 0.25, "momentum_convention": "pytorch", "eps": 1e-3},
               {"type": "affine", "out_dim": 2}]})");
  NumpyRandom rng(2);
  ModelPtr m = build_model(spec, rng);
  m->loss(Tensor::from_vector({1, 3, 5, 7}, {2, 1, 1, 2}), y);
  const auto s = running_stats(*m);
  expect_vector_near(s.first, {1.0}, "spatial mean");
  expect_vector_near(s.second, {1.25}, "spatial var");

  auto error_of = [](const json& keys) {
    try {
      batchnorm_model(keys);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of({{"momentum_convention", "keras"}}).find("model.layers[0].momentum_convention: expected one of"),
            std::string::npos)
      << error_of({{"momentum_convention", "keras"}});
  EXPECT_NE(error_of({{"momentum", 1.5}, {"momentum_convention", "pytorch"}}).find("model.layers[0].momentum"),
            std::string::npos);
  json ln = json::parse(R"({"type": "sequential", "input_dim": [2], "num_classes": 2,
    "layers": [{"type": "layernorm", "momentum_convention": "pytorch"}, {"type": "affine", "out_dim": 2}]})");
  NumpyRandom r3(3);
  EXPECT_THROW(build_model(ln, r3), Error);  // layernorm keeps no running statistics
}

TEST(Sequential, LabelSmoothingAndSumReductionReachTheLoss) {
  const json base = json::parse(R"({"type": "fc_net", "input_dim": 4, "hidden_dims": [5], "num_classes": 3,
    "dtype": "float64", "weight_scale": 0.5})");
  NumpyRandom data_rng(7);
  const Tensor X = randn(data_rng, {6, 4});
  const Tensor y = randint(data_rng, 0, 3, 6);
  for (const char* type : {"fc_net", "three_layer_convnet", "sequential"}) {
    json spec = base;
    Tensor x = X;
    if (std::string(type) == "three_layer_convnet") {
      spec = json::parse(R"({"type": "three_layer_convnet", "input_dim": [1, 2, 2], "num_filters": 2,
        "filter_size": 1, "hidden_dim": 3, "num_classes": 3, "dtype": "float64", "weight_scale": 0.5})");
      x = X.reshape({6, 1, 2, 2});
    } else if (std::string(type) == "sequential") {
      spec = json::parse(R"({"type": "sequential", "input_dim": [4], "num_classes": 3, "dtype": "float64",
        "weight_scale": 0.5, "layers": [{"type": "affine", "out_dim": 5}, {"type": "relu"},
                                        {"type": "affine", "out_dim": 3}]})");
    }
    spec["label_smoothing"] = 0.2;
    spec["loss_reduction"] = "sum";
    NumpyRandom rng(8);
    ModelPtr m = build_model(spec, rng);
    const double loss = m->loss(x, y).item();
    const LossOut want = softmax_loss(m->scores(x), y, SoftmaxLossParam{0.2, LossReduction::sum}, "reference");
    EXPECT_NEAR(loss, want.value(), 1e-12) << type;
    EXPECT_GT(std::abs(loss - 6 * softmax_loss(m->scores(x), y, "reference").value()), 1e-3) << type;
    EXPECT_EQ(m->describe()["label_smoothing"], 0.2) << type;
    EXPECT_EQ(m->describe()["loss_reduction"], "sum") << type;
    const auto plan = m->plan();
    EXPECT_TRUE(std::any_of(plan.begin(), plan.end(), [](const std::string& l) {
      return l.find("loss -> softmax_loss") == 0 && l.find("label_smoothing 0.2 reduction sum") != std::string::npos;
    })) << type;
    // The description builds the same model (checkpoints keep it; it has no dtype: float32).
    NumpyRandom rng2(8);
    EXPECT_NEAR(build_model(m->describe(), rng2)->loss(x, y).item(), loss, 1e-5) << type;
  }
  auto error_of = [](const json& spec) {
    try {
      NumpyRandom rng(1);
      build_model(spec, rng);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  json svm = json::parse(R"({"type": "sequential", "input_dim": [4], "num_classes": 3, "loss": "svm",
    "label_smoothing": 0.1, "layers": [{"type": "affine", "out_dim": 3}]})");
  EXPECT_EQ(error_of(svm),
            "model.label_smoothing: applies to loss \"softmax\" only (svm_loss has no label smoothing); remove it");
  svm["label_smoothing"] = 0;
  svm["loss_reduction"] = "sum";
  EXPECT_EQ(error_of(svm), "no error");
  json bad = base;
  bad["label_smoothing"] = 1;
  EXPECT_EQ(error_of(bad), "model.label_smoothing: expected a number in [0, 1), got 1");
  bad["label_smoothing"] = -0.1;
  EXPECT_NE(error_of(bad).find("model.label_smoothing"), std::string::npos);
  bad = base;
  bad["loss_reduction"] = "max";
  EXPECT_NE(error_of(bad).find("model.loss_reduction: expected one of"), std::string::npos) << error_of(bad);
}

namespace {
// The error message build_model gives for `spec` ("no error" when it builds).
std::string build_error(const json& spec) {
  NumpyRandom rng(0);
  try {
    build_model(spec, rng);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// airbench's layer options: conv "bias": false and "init": "dirac",
// batchnorm "scale": false, and a scale layer on the logits (airbench's 1/9).
const json kAirbenchStack = json::parse(R"({
    "type": "sequential", "input_dim": [2, 6, 6], "num_classes": 3, "dtype": "float64", "weight_scale": 0.3,
    "layers": [
      {"type": "conv", "num_filters": 3, "filter_size": 3, "bias": false, "init": "dirac"},
      {"type": "spatial_batchnorm", "scale": false},
      {"type": "relu"},
      {"type": "max_pool", "pool_size": 2},
      {"type": "conv", "num_filters": 4, "filter_size": 3, "bias": false},
      {"type": "relu"},
      {"type": "max_pool", "pool_size": 3},
      {"type": "affine", "out_dim": 5},
      {"type": "batchnorm", "scale": false},
      {"type": "affine", "out_dim": 3},
      {"type": "scale", "factor": 0.1111}
    ]})");
}  // namespace

TEST(Sequential, BiasFalseAndScaleFalseDropTheParameters) {
  NumpyRandom rng(7);
  ModelPtr model = build_model(kAirbenchStack, rng);
  std::vector<std::string> names;
  for (const auto& kv : model->params()) names.push_back(kv.first);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"W1", "W2", "W3", "W4", "b3", "b4", "beta1", "beta3"}));
  EXPECT_EQ(model->buffers().size(), 4u);  // both batchnorms keep running statistics
  // pool 3 on the 4x4 conv2 output gives 1x1 (PyTorch's MaxPool2d(3)): W3 is (4 * 1 * 1, 5).
  EXPECT_EQ(model->params().at("W3").shape(), (Shape{4, 5}));
  // conv2 + relu + max_pool fuse with the fixed zero bias
  EXPECT_EQ(model->plan().at(4), "conv2+relu+max_pool -> conv_relu_pool cpu/threaded");
}

TEST(Sequential, AirbenchOptionsGradientCheck) {
  for (const bool fusion : {true, false}) {
    json spec = kAirbenchStack;
    spec["fusion"] = fusion;
    NumpyRandom rng(8), data_rng(9);
    ModelPtr model = build_model(spec, rng);
    const Tensor X = randn(data_rng, {4, 2, 6, 6});
    const Tensor y = randint(data_rng, 0, 3, 4);
    std::map<std::string, int64_t> bad;
    EXPECT_EQ(test::model_grad_mismatches(*model, X, y, 1e-6, 1e-5, 1e-9, &bad), 0) << "fusion " << fusion;
    EXPECT_EQ(bad.size(), 8u);
    for (const auto& kv : bad) EXPECT_EQ(kv.second, 0) << kv.first;
  }
}

// With the same seed, bias false draws the same W as before; beta is trained
// and the fixed gamma of ones acts as before: the loss equals that of the
// default model (whose b is 0 and gamma 1 at initialisation).
TEST(Sequential, BiasFalseAndScaleFalseComputeTheDefaultModelAtInit) {
  json plain = kAirbenchStack;
  for (auto& l : plain["layers"]) {
    l.erase("bias");
    l.erase("scale");
    l.erase("init");
  }
  json opts = plain;
  opts["layers"][0]["bias"] = false;
  opts["layers"][1]["scale"] = false;
  opts["layers"][4]["bias"] = false;
  opts["layers"][8]["scale"] = false;
  NumpyRandom r1(3), r2(3), data_rng(4);
  ModelPtr a = build_model(plain, r1), b = build_model(opts, r2);
  for (const auto& kv : b->params()) EXPECT_EQ(rel_error(kv.second, a->params().at(kv.first)), 0.0) << kv.first;
  const Tensor X = randn(data_rng, {4, 2, 6, 6});
  const Tensor y = randint(data_rng, 0, 3, 4);
  EXPECT_EQ(a->loss(X, y).item(), b->loss(X, y).item());
  auto ga = a->grads();
  for (const auto& kv : b->grads()) EXPECT_LT(rel_error(kv.second, ga.at(kv.first)), 1e-14) << kv.first;
}

TEST(Sequential, DiracInitMakesTheFirstFiltersIdentities) {
  for (const auto& [C, F] : std::vector<std::pair<int, int>>{{2, 3}, {3, 2}}) {
    json base = json::parse(R"({"type": "sequential", "input_dim": [1, 4, 4], "num_classes": 2,
      "weight_scale": 0.5, "layers": [{"type": "conv", "num_filters": 1, "filter_size": 3},
                                      {"type": "affine", "out_dim": 2}]})");
    base["input_dim"][0] = C;
    base["layers"][0]["num_filters"] = F;
    json dirac = base;
    dirac["layers"][0]["init"] = "dirac";
    NumpyRandom r1(11), r2(11);
    const Tensor W0 = build_model(base, r1)->params().at("W1");
    const Tensor W = build_model(dirac, r2)->params().at("W1");
    ASSERT_EQ(W.shape(), (Shape{F, C, 3, 3}));
    const int n = std::min(C, F);
    for (int f = 0; f < F; ++f)
      for (int c = 0; c < C; ++c)
        for (int i = 0; i < 9; ++i) {
          const int64_t at = (f * C + c) * 9 + i;
          const double want = f >= n ? W0.item(at) : (c == f && i == 4 ? 1.0 : 0.0);
          EXPECT_EQ(W.item(at), want) << "F " << F << " C " << C << " at " << at;
        }
  }
}

TEST(Sequential, MaxPoolSizeThreeOnFourByFourGivesOneByOne) {
  const json spec = json::parse(R"({"type": "sequential", "input_dim": [2, 4, 4], "num_classes": 2,
    "dtype": "float64", "weight_scale": 0.5,
    "layers": [{"type": "max_pool", "pool_size": 3}, {"type": "affine", "out_dim": 2}]})");
  NumpyRandom rng(1);
  ModelPtr model = build_model(spec, rng);
  EXPECT_EQ(model->params().at("W1").shape(), (Shape{2, 2}));
  // the one window covers rows and columns 0..2; the 4th row/column is never seen
  Tensor X = Tensor::zeros({1, 2, 4, 4}, DType::f64);
  double* x = X.data<double>();
  for (int i = 0; i < 32; ++i) x[i] = -1.0;
  x[1 * 4 + 2] = 5.0;       // channel 0, inside the window
  x[16 + 3 * 4 + 3] = 9.0;  // channel 1, outside it
  x[16 + 2 * 4 + 0] = 2.0;  // channel 1, inside it
  const Tensor W = model->params().at("W1");
  const Tensor s = model->scores(X);
  for (int j = 0; j < 2; ++j) EXPECT_NEAR(s.item(j), 5.0 * W.item(j) + 2.0 * W.item(2 + j), 1e-12);
}

TEST(Sequential, AirbenchOptionsAreValidated) {
  auto with = [](int layer, const char* key, json value) {
    json spec = kAirbenchStack;
    spec["layers"][layer][key] = value;
    return build_error(spec);
  };
  EXPECT_NE(with(0, "bias", "no").find("model.layers[0].bias"), std::string::npos) << with(0, "bias", "no");
  EXPECT_NE(with(0, "init", "orthogonal").find("model.layers[0].init: expected one of"), std::string::npos)
      << with(0, "init", "orthogonal");
  EXPECT_NE(with(1, "scale", 0).find("model.layers[1].scale"), std::string::npos) << with(1, "scale", 0);
  EXPECT_NE(with(2, "bias", false).find("model.layers[2].bias"), std::string::npos) << with(2, "bias", false);
  EXPECT_NE(with(7, "init", "dirac").find("model.layers[7].init"), std::string::npos) << with(7, "init", "dirac");
}

TEST(Sequential, ScaleLayerMultipliesTheScores) {
  json plain = kAirbenchStack;
  plain["layers"].erase(10);
  NumpyRandom r1(5), r2(5), data_rng(6);
  ModelPtr a = build_model(plain, r1), b = build_model(kAirbenchStack, r2);
  const auto plan = b->plan();
  EXPECT_NE(std::find(plan.begin(), plan.end(), "scale -> scale cpu/reference"), plan.end());
  const Tensor X = randn(data_rng, {4, 2, 6, 6});
  const Tensor sa = a->scores(X), sb = b->scores(X);
  ASSERT_EQ(sb.shape(), (Shape{4, 3}));
  for (int64_t i = 0; i < sa.numel(); ++i) EXPECT_DOUBLE_EQ(sb.item(i), 0.1111 * sa.item(i)) << i;
  // zero factor or a missing one: errors naming the key
  json bad = kAirbenchStack;
  bad["layers"][10]["factor"] = 0;
  EXPECT_NE(build_error(bad).find("model.layers[10].factor"), std::string::npos) << build_error(bad);
  bad["layers"][10].erase("factor");
  EXPECT_NE(build_error(bad).find("model.layers[10].factor"), std::string::npos) << build_error(bad);
}

namespace {
// Images whose neighbouring pixels and channels are correlated (a smoothed,
// channel-mixed noise), as natural images are: a patch covariance with a
// spread of eigenvalues.
Tensor correlated_images(NumpyRandom& rng, int64_t N, int64_t C, int64_t H, int64_t W) {
  const Tensor noise = randn(rng, {N, 1, H + 1, W + 1}, DType::f64);
  const Tensor mix = randn(rng, {N, C, H, W}, DType::f64, 0.1);
  Tensor x = Tensor::zeros({N, C, H, W}, DType::f64);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < H; ++i)
        for (int64_t j = 0; j < W; ++j) {
          const double* z = noise.data<double>() + n * (H + 1) * (W + 1);
          const double smooth = z[i * (W + 1) + j] + z[(i + 1) * (W + 1) + j] + 0.5 * z[i * (W + 1) + j + 1];
          x.data<double>()[((n * C + c) * H + i) * W + j] =
              (1.0 + 0.3 * double(c)) * smooth + mix.data<double>()[((n * C + c) * H + i) * W + j];
        }
  return x;
}

// out[n, f, i, j] of the valid 2x2 conv of x with W (F, C, 2, 2), no bias, in double.
std::vector<double> conv2x2_valid(const Tensor& x, const Tensor& w) {
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), Wd = x.dim(3), F = w.dim(0);
  std::vector<double> out;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i + 1 < H; ++i)
      for (int64_t j = 0; j + 1 < Wd; ++j)
        for (int64_t f = 0; f < F; ++f) {
          double s = 0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t r = 0; r < 2; ++r)
              for (int64_t q = 0; q < 2; ++q)
                s += w.item(((f * C + c) * 2 + r) * 2 + q) * x.item(((n * C + c) * H + i + r) * Wd + j + q);
          out.push_back(s);
        }
  return out;
}

const json kWhitenStack = json::parse(R"({
    "type": "sequential", "input_dim": [3, 6, 6], "num_classes": 3, "dtype": "float64", "weight_scale": "pytorch",
    "layers": [
      {"type": "conv", "num_filters": 24, "filter_size": 2, "pad": 0, "init": "whiten", "whiten_images": 40,
       "whiten_eps": 0.01},
      {"type": "gelu"},
      {"type": "affine", "out_dim": 3, "bias": false}
    ]})");
}  // namespace

// The whitening init: W[0..K) = v_i / sqrt(l_i + eps) for the eigenpairs of
// the patch covariance, W[K..2K) their negatives; so on the images it was
// made from, the first K outputs are uncorrelated with variances
// l_i / (l_i + eps), descending.
TEST(Sequential, WhiteningInitDecorrelatesThePatches) {
  NumpyRandom rng(21), data_rng(22);
  ModelPtr model = build_model(kWhitenStack, rng);
  EXPECT_EQ(model->data_init_samples(), 40);
  const Tensor X = correlated_images(data_rng, 50, 3, 6, 6);
  model->init_from_data(X);
  const Tensor W = model->params().at("W1");
  ASSERT_EQ(W.shape(), (Shape{24, 3, 2, 2}));
  for (int64_t f = 0; f < 12; ++f)
    for (int64_t t = 0; t < 12; ++t) EXPECT_EQ(W.item((f + 12) * 12 + t), -W.item(f * 12 + t)) << f << " " << t;
  const std::vector<double> out = conv2x2_valid(X.slice0(0, 40), W);
  const int64_t M = static_cast<int64_t>(out.size()) / 24;  // positions x images
  std::vector<double> var(12);
  for (int64_t a = 0; a < 12; ++a)
    for (int64_t b = 0; b < 12; ++b) {
      double s = 0;
      for (int64_t m = 0; m < M; ++m) s += out[m * 24 + a] * out[m * 24 + b];
      s /= double(M);
      if (a == b) {
        var[a] = s;
      } else {
        EXPECT_NEAR(s, 0.0, 1e-10) << a << " " << b;
      }
    }
  // l / (l + eps) is below 1 and descends with l; the largest eigenvalues here are >> eps.
  for (int64_t a = 0; a < 12; ++a) {
    EXPECT_LT(var[a], 1.0) << a;
    if (a > 0) {
      EXPECT_LE(var[a], var[a - 1] + 1e-12) << a;
    }
  }
  EXPECT_GT(var[0], 0.99);
  // The 10 images beyond whiten_images play no part.
  NumpyRandom rng2(21);
  ModelPtr again = build_model(kWhitenStack, rng2);
  again->init_from_data(X.slice0(0, 40));
  EXPECT_EQ(rel_error(again->params().at("W1"), W), 0.0);
  // The affine layer without bias has no b2 and gives x W.
  EXPECT_EQ(model->params().count("b2"), 0u);
}

// Layers before the whitening conv run first: it whitens what reaches it.
// Doubling the inputs halves W (eps ~ 0: W = v / sqrt(l), l x 4).
TEST(Sequential, WhiteningSeesTheInputsAsTheyReachTheLayer) {
  json plain = kWhitenStack;
  plain["layers"][0]["whiten_eps"] = 1e-12;  // next to nothing beside the eigenvalues
  json scaled = plain;
  scaled["layers"].insert(scaled["layers"].begin(), json{{"type", "scale"}, {"factor", 2.0}});
  NumpyRandom r1(5), r2(5), data_rng(6);
  ModelPtr a = build_model(plain, r1), b = build_model(scaled, r2);
  const Tensor X = correlated_images(data_rng, 40, 3, 6, 6);
  a->init_from_data(X);
  b->init_from_data(X);
  const Tensor wa = a->params().at("W1"), wb = b->params().at("W1");
  for (int64_t i = 0; i < wa.numel(); ++i)
    EXPECT_NEAR(wb.item(i), 0.5 * wa.item(i), 1e-7 * std::fabs(wa.item(i)) + 1e-12) << i;
}

TEST(Sequential, WhiteningOptionsAreValidated) {
  json bad = kWhitenStack;
  bad["layers"][0]["num_filters"] = 12;
  EXPECT_NE(build_error(bad).find("model.layers[0].num_filters: \"init\": \"whiten\" needs num_filters = 2 x "
                                  "channels x filter_size^2 = 24, got 12"),
            std::string::npos)
      << build_error(bad);
  bad = kWhitenStack;
  bad["layers"][0]["whiten_images"] = 0;
  EXPECT_NE(build_error(bad).find("model.layers[0].whiten_images"), std::string::npos) << build_error(bad);
  bad = kWhitenStack;
  bad["layers"][1]["whiten_eps"] = 0.1;  // not a gelu key
  EXPECT_NE(build_error(bad).find("model.layers[1].whiten_eps"), std::string::npos) << build_error(bad);
  bad = kWhitenStack;
  bad["weight_scale"] = "xavier";
  EXPECT_NE(build_error(bad).find("model.weight_scale: expected a number > 0, \"kaiming\" or \"pytorch\""),
            std::string::npos)
      << build_error(bad);
}

// PyTorch's default init of Conv2d and Linear weights: uniform in +-1/sqrt(fan_in).
TEST(Sequential, PytorchInitIsUniformInOneOverSqrtFanIn) {
  const json spec = json::parse(R"({"type": "sequential", "input_dim": [8, 4, 4], "num_classes": 10,
    "weight_scale": "pytorch",
    "layers": [{"type": "conv", "num_filters": 64, "filter_size": 3}, {"type": "affine", "out_dim": 10}]})");
  NumpyRandom rng(0);
  ModelPtr model = build_model(spec, rng);
  const Tensor W1 = model->params().at("W1"), W2 = model->params().at("W2");
  const double b1 = 1 / std::sqrt(72.0), b2 = 1 / std::sqrt(64.0 * 16.0);
  double s = 0, lo = 1, hi = -1;
  for (int64_t i = 0; i < W1.numel(); ++i) {
    s += W1.item(i) * W1.item(i);
    lo = std::min(lo, W1.item(i));
    hi = std::max(hi, W1.item(i));
  }
  EXPECT_GE(lo, -b1);
  EXPECT_LE(hi, b1);
  EXPECT_LT(lo, -0.95 * b1);
  EXPECT_GT(hi, 0.95 * b1);
  EXPECT_NEAR(std::sqrt(s / double(W1.numel())), b1 / std::sqrt(3.0), 0.03 * b1);
  for (int64_t i = 0; i < W2.numel(); ++i) EXPECT_LE(std::fabs(W2.item(i)), b2);
  EXPECT_EQ(model->describe()["weight_scale"], "pytorch");
}

// The fixed zero bias and the fixed gamma move with the model: on the GPU
// the airbench stack gives the CPU's loss and gradients (fused and not).
TEST(SequentialGpu, AirbenchOptionsMatchTheCpu) {
  CONVLAB_REQUIRE_GPU();
  for (const bool fusion : {true, false}) {
    json spec = kAirbenchStack;
    spec["fusion"] = fusion;
    NumpyRandom rng(8), data_rng(9);
    ModelPtr model = build_model(spec, rng);
    const Tensor X = randn(data_rng, {4, 2, 6, 6});
    const Tensor y = randint(data_rng, 0, 3, 4);
    const double cpu_loss = model->loss_value(X, y);
    std::map<std::string, Tensor> cpu_grads;
    for (auto& kv : model->grads()) cpu_grads[kv.first] = kv.second.clone();
    model->to(Device::cuda);
    EXPECT_NEAR(model->loss_value(test::gpu(X), test::gpu(y)), cpu_loss, 1e-10) << "fusion " << fusion;
    const auto g = model->grads();
    ASSERT_EQ(g.size(), 8u);
    for (const auto& kv : g)
      EXPECT_LT(rel_error(kv.second.to(Device::cpu), cpu_grads.at(kv.first)), 1e-8) << kv.first << " fusion " << fusion;
  }
}
