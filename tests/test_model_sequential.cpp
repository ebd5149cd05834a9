// sequential: stacks built from JSON, names, shapes, gradient checks in double.
#include <gtest/gtest.h>

#include "host/fill.h"
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
