// FullyConnectedNet: the batchnorm notebook's gradient checks (batchnorm and
// layernorm, reg 0 and 3.14), initial loss, dropout and parameter names.
#include <gtest/gtest.h>

#include <cmath>

#include "host/fill.h"
#include "model_test_util.h"
#include "models/fc_net.h"

using namespace convlab;

namespace {

struct Case {
  Normalization norm;
  double reg;
};

class FcNetGradients : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(FcNetGradients, MatchNumericGradientsAsTheNotebook) {
  // np.random.seed(231); N, D, H1, H2, C = 2, 15, 20, 30, 10
  NumpyRandom rng(231);
  const Tensor X = randn(rng, {2, 15});
  const Tensor y = randint(rng, 0, 10, 2);
  FullyConnectedNetOptions o;
  o.hidden_dims = {20, 30};
  o.input_dim = 15;
  o.num_classes = 10;
  o.reg = GetParam().reg;
  o.weight_scale = 5e-2;
  o.dtype = DType::f64;
  o.normalization = GetParam().norm;
  auto model = make_fc_net(o, rng);
  const double loss = model->loss_value(X, y);
  EXPECT_TRUE(std::isfinite(loss));
  if (o.reg == 0) {
    EXPECT_NEAR(loss, std::log(10.0), 0.3);
  }
  const auto errors = test::model_grad_errors(*model, X, y, 1e-5);
  EXPECT_EQ(errors.size(), 10u);  // W1..W3, b1..b3, gamma1, gamma2, beta1, beta2
  for (const auto& kv : errors) {
    SCOPED_TRACE(kv.first);
    std::printf("%s relative error: %.2e\n", kv.first.c_str(), kv.second);
    // The notebook expects errors of order 1e-4..1e-10 (W), 1e-8..1e-10 (b),
    // 1e-8..1e-9 (gamma, beta); its input gives W1 1.1e-4 with batchnorm.
    EXPECT_LE(kv.second, kv.first[0] == 'W' ? 1e-3 : 1e-5);
  }
}

INSTANTIATE_TEST_SUITE_P(Notebook, FcNetGradients,
                         ::testing::Values(Case{Normalization::batchnorm, 0.0}, Case{Normalization::batchnorm, 3.14},
                                           Case{Normalization::layernorm, 0.0}, Case{Normalization::layernorm, 3.14}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.norm == Normalization::batchnorm ? "batchnorm" : "layernorm") +
                                  (i.param.reg == 0 ? "_reg0" : "_reg3_14");
                         });

TEST(FcNet, PlainNetGradientsAndNames) {
  NumpyRandom rng(1);
  const Tensor X = randn(rng, {3, 6});
  const Tensor y = randint(rng, 0, 4, 3);
  FullyConnectedNetOptions o;
  o.hidden_dims = {5, 7};
  o.input_dim = 6;
  o.num_classes = 4;
  o.reg = 0.5;
  o.weight_scale = 0.3;
  o.dtype = DType::f64;
  auto model = make_fc_net(o, rng);
  const auto p = model->params();
  EXPECT_EQ(p.size(), 6u);
  EXPECT_EQ(p.at("W2").shape(), (Shape{5, 7}));
  EXPECT_EQ(p.count("gamma1"), 0u);
  for (const auto& kv : test::model_grad_errors(*model, X, y, 1e-6)) {
    SCOPED_TRACE(kv.first);
    EXPECT_LE(kv.second, 1e-5);
  }
}

TEST(FcNet, RegAddsHalfRegTimesSumOfSquaredWeightsOnly) {
  NumpyRandom rng(5);
  const Tensor X = randn(rng, {4, 6});
  const Tensor y = randint(rng, 0, 3, 4);
  FullyConnectedNetOptions o;
  o.hidden_dims = {5};
  o.input_dim = 6;
  o.num_classes = 3;
  o.dtype = DType::f64;
  o.normalization = Normalization::batchnorm;
  NumpyRandom r1(9), r2(9);
  auto plain = make_fc_net(o, r1);
  o.reg = 2.0;
  auto reg = make_fc_net(o, r2);
  double sum_sq = 0;
  for (const auto& kv : plain->params()) {
    if (kv.first[0] != 'W') continue;
    for (int64_t i = 0; i < kv.second.numel(); ++i) sum_sq += kv.second.item(i) * kv.second.item(i);
  }
  EXPECT_NEAR(reg->loss_value(X, y), plain->loss_value(X, y) + 0.5 * 2.0 * sum_sq, 1e-12);
  // The gradient of W gains reg * W; biases, gamma and beta get no penalty.
  const auto g0 = plain->grads(), g1 = reg->grads();
  const auto w = plain->params();
  EXPECT_NEAR(g1.at("W1").item(3), g0.at("W1").item(3) + 2.0 * w.at("W1").item(3), 1e-12);
  EXPECT_NEAR(g1.at("b1").item(0), g0.at("b1").item(0), 1e-12);
  EXPECT_NEAR(g1.at("gamma1").item(0), g0.at("gamma1").item(0), 1e-12);
}

TEST(FcNet, DropoutWithFixedSeedPassesTheGradientCheck) {
  NumpyRandom rng(231);
  const Tensor X = randn(rng, {2, 15});
  const Tensor y = randint(rng, 0, 10, 2);
  for (double keep : {0.5, 0.75}) {
    SCOPED_TRACE(keep);
    FullyConnectedNetOptions o;
    o.hidden_dims = {20, 30};
    o.input_dim = 15;
    o.weight_scale = 5e-2;
    o.dtype = DType::f64;
    o.dropout_keep_ratio = keep;
    o.seed = 123;
    auto model = make_fc_net(o, rng);
    for (const auto& kv : test::model_grad_errors(*model, X, y, 1e-5)) {
      SCOPED_TRACE(kv.first);
      EXPECT_LE(kv.second, 1e-4);
    }
    // Test mode keeps every unit: scores are deterministic and differ from a train-mode forward.
    const Tensor s1 = model->scores(X), s2 = model->scores(X);
    EXPECT_EQ(s1.to_vector(), s2.to_vector());
  }
}

TEST(FcNet, BatchnormRunningStatisticsAreBuffersUsedInTestMode) {
  NumpyRandom rng(0);
  FullyConnectedNetOptions o;
  o.hidden_dims = {8};
  o.input_dim = 4;
  o.num_classes = 3;
  o.normalization = Normalization::batchnorm;
  o.dtype = DType::f64;
  auto model = make_fc_net(o, rng);
  auto buffers = model->buffers();
  ASSERT_EQ(buffers.size(), 2u);
  ASSERT_TRUE(buffers.count("running_mean1") && buffers.count("running_var1"));
  const Tensor X = randn(rng, {16, 4}, DType::f64, 3.0);
  const Tensor y = randint(rng, 0, 3, 16);
  model->loss(X, y);
  buffers = model->buffers();
  double m = 0;
  for (int64_t i = 0; i < 8; ++i) m += std::fabs(buffers.at("running_mean1").item(i));
  EXPECT_GT(m, 0.0);  // updated by the train-mode forward
  // load_state round trip through state().
  auto state = model->state();
  EXPECT_EQ(state.size(), 6u + 2u);
  NumpyRandom rng2(1);
  auto other = make_fc_net(o, rng2);
  other->load_state(state);
  EXPECT_EQ(other->scores(X).to_vector(), model->scores(X).to_vector());
}
