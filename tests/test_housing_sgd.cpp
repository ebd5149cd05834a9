// The linear model trained by mini-batch gradient descent with convlab's
// update rules: exact synthetic fits, loss history, divergence, and the
// housing run reaching the closed form's validation error.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "host/fill.h"
#include "host/regression/linear_model.h"
#include "host/regression/regression_data.h"
#include "host/regression/run_regression.h"
#include "host/regression/sgd_regression.h"
#include "housing_test_data.h"

using namespace convlab;

namespace {

struct Synthetic {
  Tensor X, y;
  std::vector<double> w = {1.0, -2.0, 0.5};
  double b = 3.0;
};

Synthetic synthetic() {
  Synthetic s;
  NumpyRandom rng(5);
  s.X = randn(rng, {64, 3});
  s.y = LinearModel{s.w, s.b}.predict(s.X);
  return s;
}

}  // namespace

TEST(HousingSgd, EveryUpdateRuleRecoversAnExactFit) {
  const Synthetic s = synthetic();
  for (const char* rule : {"sgd", "sgd_momentum", "rmsprop", "adam"}) {
    SgdRegressionConfig c;
    c.optim.rule = parse_update_rule(rule);
    c.optim.learning_rate = c.optim.rule == UpdateRule::sgd ? 0.1 : c.optim.rule == UpdateRule::sgd_momentum ? 0.02 : 0.01;
    c.batch_size = 16;
    c.num_epochs = 400;
    SgdHistory h;
    const LinearModel m = train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c, &h);
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(m.w[j], s.w[j], 1e-3) << rule << " w" << j;
    EXPECT_NEAR(m.b, s.b, 1e-3) << rule;
    ASSERT_EQ(h.loss_history.size(), 400u * 4);  // 64 / 16 iterations per epoch
    ASSERT_EQ(h.train_mae.size(), 400u);
    EXPECT_TRUE(h.val_mae.empty());
    EXPECT_LT(h.loss_history.back(), 1e-3 * h.loss_history.front()) << rule;
  }
}

TEST(HousingSgd, FirstLossAndGradientStepAreTheClosedFormOnes) {
  // Zero start: first loss = 0.5 * mean(y_B^2); one full-batch sgd step moves
  // b by lr * mean(y) and w by lr * X^T y / n.
  const Synthetic s = synthetic();
  SgdRegressionConfig c;
  c.optim.learning_rate = 0.1;
  c.batch_size = 64;
  c.num_epochs = 1;
  SgdHistory h;
  const LinearModel m = train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c, &h);
  double sq = 0, mean = 0, xy0 = 0;
  for (int i = 0; i < 64; ++i) {
    const double yi = s.y.item(i);
    sq += yi * yi / 64;
    mean += yi / 64;
    xy0 += s.X.item(i * 3) * yi / 64;
  }
  ASSERT_EQ(h.loss_history.size(), 1u);
  EXPECT_NEAR(h.loss_history[0], 0.5 * sq, 1e-12);
  EXPECT_NEAR(m.b, 0.1 * mean, 1e-12);
  EXPECT_NEAR(m.w[0], 0.1 * xy0, 1e-12);
}

TEST(HousingSgd, LrDecayScalesTheStepAfterEachEpoch) {
  // Full batch: epoch 2 with lr_decay 0.5 is one step of 0.05 from epoch 1's model.
  const Synthetic s = synthetic();
  SgdRegressionConfig c;
  c.optim.learning_rate = 0.1;
  c.batch_size = 64;
  c.num_epochs = 1;
  const LinearModel m1 = train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c);
  c.num_epochs = 2;
  c.lr_decay = 0.5;
  const LinearModel m2 = train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c);
  const Tensor p = m1.predict(s.X);
  double gb = 0, gw0 = 0;
  for (int i = 0; i < 64; ++i) {
    const double r = p.item(i) - s.y.item(i);
    gb += r / 64;
    gw0 += r * s.X.item(i * 3) / 64;
  }
  EXPECT_NEAR(m2.b, m1.b - 0.05 * gb, 1e-12);
  EXPECT_NEAR(m2.w[0], m1.w[0] - 0.05 * gw0, 1e-12);
  c.lr_decay = 0.0;
  EXPECT_THROW(train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c), Error);
}

TEST(HousingSgd, SameSeedSameRunDifferentSeedDifferentOrder) {
  const Synthetic s = synthetic();
  SgdRegressionConfig c;
  c.batch_size = 8;
  c.num_epochs = 3;
  SgdHistory a, b, d;
  train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c, &a);
  train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c, &b);
  c.seed = 1;
  train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c, &d);
  EXPECT_EQ(a.loss_history, b.loss_history);
  EXPECT_NE(a.loss_history, d.loss_history);
  // A random start (weight_scale > 0) changes the first loss; zeros give 0.5 * mean(y_B^2).
  c.seed = 0;
  c.weight_scale = 1.0;
  SgdHistory r;
  train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c, &r);
  EXPECT_NE(r.loss_history.front(), a.loss_history.front());
}

TEST(HousingSgd, DivergenceAndBadSettingsAreClearErrors) {
  const Synthetic s = synthetic();
  SgdRegressionConfig c;
  c.optim.learning_rate = 1e3;
  c.num_epochs = 50;
  try {
    train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("too large?"), std::string::npos) << e.what();
  }
  c.optim.learning_rate = 0.01;
  c.batch_size = 0;
  EXPECT_THROW(train_linear_sgd(s.X, s.y, Tensor(), Tensor(), c), Error);
  c.batch_size = 8;
  EXPECT_THROW(train_linear_sgd(s.X, s.y, Tensor({4, 2}, DType::f64), Tensor({4}, DType::f64), c), Error);
}

// Closed-form validation MAE (numpy): 3.944008592316.
TEST(HousingSgd, ConfigRunReachesTheClosedFormValidationError) {
  CONVLAB_REQUIRE_HOUSING(path);
  const char* src = std::getenv("CONVLAB_SOURCE_DIR");
  if (!src) GTEST_SKIP() << "CONVLAB_SOURCE_DIR not set (run through ctest)";
  std::ifstream f(std::string(src) + "/configs/housing_sgd.json");
  ASSERT_TRUE(f.is_open());
  nlohmann::json config = nlohmann::json::parse(f);
  config["data"]["path"] = path;
  std::ostringstream log;
  const RegressionResult r = run_regression_experiment(config, log);
  const double closed_form_val = 3.944008592316;
  EXPECT_LT(std::abs(r.val.mae - closed_form_val), 0.02 * closed_form_val) << r.val.mae;
  EXPECT_LT(std::abs(r.test.mae - 3.0851717377669567), 0.02 * 3.0851717377669567) << r.test.mae;
  EXPECT_EQ(r.history.val_mae.size(), 200u);
  EXPECT_EQ(r.history.loss_history.size(), 200u * 9);  // ceil(272 / 32) iterations per epoch
  EXPECT_NE(log.str().find("(Epoch 200 / 200)"), std::string::npos) << log.str();
}
