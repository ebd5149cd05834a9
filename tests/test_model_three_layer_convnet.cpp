// ThreeLayerConvNet: the conv notebook's loss sanity check and gradient check.
#include <gtest/gtest.h>

#include <cmath>

#include "host/fill.h"
#include "model_test_util.h"
#include "models/three_layer_convnet.h"

using namespace convlab;

TEST(ThreeLayerConvNet, ParametersHaveCs231nNamesShapesAndInit) {
  NumpyRandom rng(0);
  auto model = make_three_layer_convnet({}, rng);
  auto p = model->params();
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p.at("W1").shape(), (Shape{32, 3, 7, 7}));
  EXPECT_EQ(p.at("b1").shape(), (Shape{32}));
  EXPECT_EQ(p.at("W2").shape(), (Shape{32 * 16 * 16, 100}));
  EXPECT_EQ(p.at("W3").shape(), (Shape{100, 10}));
  EXPECT_EQ(p.at("b3").shape(), (Shape{10}));
  EXPECT_EQ(p.at("W1").dtype(), DType::f32);
  // weight_scale * randn from the rng, W1 first: compare with a fresh rng.
  NumpyRandom ref(0);
  const Tensor w1 = randn(ref, {32, 3, 7, 7}, DType::f64, 1e-3);
  for (int64_t i : {0, 1, 100, 4703}) EXPECT_NEAR(p.at("W1").item(i), w1.item(i), 1e-9);
  for (int64_t i = 0; i < 32; ++i) EXPECT_EQ(p.at("b1").item(i), 0.0);
  double s2 = 0;
  const Tensor& W2 = p.at("W2");
  for (int64_t i = 0; i < W2.numel(); ++i) s2 += W2.item(i) * W2.item(i);
  EXPECT_NEAR(std::sqrt(s2 / double(W2.numel())), 1e-3, 2e-5);  // std of weight_scale * randn
}

TEST(ThreeLayerConvNet, InitialLossIsLog10AndRisesWithReg) {
  NumpyRandom rng(231);
  ThreeLayerConvNetOptions o;
  auto model = make_three_layer_convnet(o, rng);
  const int64_t N = 6;  // the notebook uses 50; the CPU reference conv is slow and the value does not depend on N
  const Tensor X = randn(rng, {N, 3, 32, 32}, DType::f32);
  const Tensor y = randint(rng, 0, 10, N);
  const double loss0 = model->loss_value(X, y);
  EXPECT_NEAR(loss0, std::log(10.0), 5e-3);

  o.reg = 0.5;
  NumpyRandom rng2(231);
  auto reg_model = make_three_layer_convnet(o, rng2);
  const double loss_reg = reg_model->loss_value(X, y);
  EXPECT_GT(loss_reg, loss0 + 0.1);  // the notebook: 2.3026 -> 2.5083
  EXPECT_LT(loss_reg, loss0 + 0.4);
}

TEST(ThreeLayerConvNet, GradientCheckAsTheNotebook) {
  NumpyRandom rng(231);
  const Tensor X = randn(rng, {2, 3, 16, 16});
  const Tensor y = randint(rng, 0, 10, 2);
  ThreeLayerConvNetOptions o;
  o.num_filters = 3;
  o.filter_size = 3;
  o.input_dim = {3, 16, 16};
  o.hidden_dim = 7;
  o.dtype = DType::f64;
  auto model = make_three_layer_convnet(o, rng);
  std::map<std::string, double> norm_errors;
  const auto errors = test::model_grad_errors(*model, X, y, 1e-6, &norm_errors);
  ASSERT_EQ(errors.size(), 6u);
  for (const auto& kv : errors) {
    SCOPED_TRACE(kv.first);
    std::printf("%s max relative error: %e (norm-relative %e)\n", kv.first.c_str(), kv.second,
                norm_errors.at(kv.first));
    // The notebook prints W2 1.82e-02 (its own reference solution) with this
    // very input: the max elementwise error of W2 is dominated by entries whose
    // gradient is ~0 next to a ReLU/max-pool kink, where the centred difference
    // is inexact. W2 is therefore held to the notebook's "order of e-2" and, as
    // every parameter, to 1e-3 over the whole tensor (a wrong gradient gives O(1)).
    EXPECT_LE(kv.second, kv.first == "W2" ? 5e-2 : 1e-2);
    EXPECT_LE(norm_errors.at(kv.first), 1e-3);
  }
  EXPECT_NEAR(errors.at("b3"), 7.945660e-10, 1e-11);  // the notebook's value: same input and initialisation
}

TEST(ThreeLayerConvNet, RegularisedGradientCheck) {
  NumpyRandom rng(7);
  const Tensor X = randn(rng, {2, 3, 8, 8});
  const Tensor y = randint(rng, 0, 10, 2);
  ThreeLayerConvNetOptions o;
  o.num_filters = 2;
  o.filter_size = 3;
  o.input_dim = {3, 8, 8};
  o.hidden_dim = 5;
  o.dtype = DType::f64;
  o.weight_scale = 1e-1;
  o.reg = 0.7;
  auto model = make_three_layer_convnet(o, rng);
  for (const auto& kv : test::model_grad_errors(*model, X, y, 1e-6)) {
    SCOPED_TRACE(kv.first);
    EXPECT_LE(kv.second, 1e-2);
  }
}

TEST(ThreeLayerConvNet, ScoresAreTestModeForwardWithOneRowPerImage) {
  NumpyRandom rng(3);
  ThreeLayerConvNetOptions o;
  o.input_dim = {3, 8, 8};
  o.num_filters = 2;
  o.filter_size = 3;
  o.hidden_dim = 4;
  auto model = make_three_layer_convnet(o, rng);
  const Tensor X = randn(rng, {5, 3, 8, 8}, DType::f32);
  const Tensor s = model->scores(X);
  EXPECT_EQ(s.shape(), (Shape{5, 10}));
}
