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

// conv, relu, max_pool runs become one fused conv_relu_pool layer: the model
// gives the same loss and gradients as the chain of reference ops.
TEST(Sequential, FusedConvReluPoolMatchesTheReferenceChain) {
  const json spec = json::parse(R"({
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
  NumpyRandom rng(5);
  ModelPtr model = build_model(spec, rng);
  const Tensor X = randn(rng, {4, 3, 10, 10});
  const Tensor y = randint(rng, 0, 4, 4);
  const double fused_loss = model->loss(X, y).item();
  std::map<std::string, Tensor> fused;
  for (auto& kv : model->grads()) fused[kv.first] = kv.second.clone();
  set_preferred_variant(Device::cpu, "reference");
  const double chain_loss = model->loss(X, y).item();
  auto chain = model->grads();
  set_preferred_variant(Device::cpu, "");
  EXPECT_NEAR(fused_loss, chain_loss, 1e-12);
  ASSERT_EQ(fused.size(), 6u);
  for (const auto& kv : fused) EXPECT_LT(rel_error(kv.second, chain.at(kv.first)), 1e-10) << kv.first;
}
