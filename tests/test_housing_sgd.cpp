// The linear model trained by the Solver: gradients against numerical ones,
// exact synthetic fits with every update rule, and input errors.
#include <gtest/gtest.h>

#include <sstream>

#include "host/data/dataset.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/solver/solver.h"
#include "models/linear_regression.h"

using namespace convlab;

namespace {

struct Synthetic {
  Tensor X, y;
  std::vector<double> w = {1.0, -2.0, 0.5};
  double b = 3.0;
};

Synthetic synthetic(int64_t n, uint32_t seed) {
  Synthetic s;
  NumpyRandom rng(seed);
  s.X = randn(rng, {n, 3});
  s.y = LinearModel{s.w, s.b}.predict(s.X);
  return s;
}

}  // namespace

TEST(HousingSgdModel, GradientsMatchNumericalOnes) {
  NumpyRandom rng(0);
  LinearRegressionModel model({3, 1.0, true, DType::f64}, rng);
  const Synthetic s = synthetic(10, 1);
  NumpyRandom noise(2);
  Tensor y = randn(noise, {10});  // not an exact fit: gradients well away from 0
  for (int i = 0; i < 10; ++i) y.set_item(i, y.item(i) + 5.0);
  model.loss(s.X, y);
  std::map<std::string, Tensor> analytic;  // copied before the numerical loops call loss() again
  for (const auto& kv : model.grads()) analytic[kv.first] = kv.second.clone();
  auto params = model.params();
  for (auto& kv : params) {
    const Tensor numeric = eval_numerical_gradient([&](const Tensor&) { return model.loss_value(s.X, y); }, kv.second);
    EXPECT_LT(rel_error(analytic.at(kv.first), numeric), 1e-8) << kv.first;
  }
}

TEST(HousingSgdModel, LossScoresAndMetricAreTheSeedsDefinitions) {
  NumpyRandom rng(0);
  LinearRegressionModel model({2, 0.0, true, DType::f64}, rng);  // zeros: predictions 0
  const Tensor X = Tensor::from_vector({1, 2, 3, 4}, {2, 2});
  const Tensor y = Tensor::from_vector({3, -1}, {2});
  EXPECT_DOUBLE_EQ(model.loss_value(X, y), 0.5 * (9 + 1) / 2);  // 0.5 * mean(r^2)
  EXPECT_DOUBLE_EQ(model.grads().at("b").item(0), (-3 + 1) / 2.0);
  EXPECT_DOUBLE_EQ(model.grads().at("W").item(0), (-3 * 1 + 1 * 3) / 2.0);
  EXPECT_EQ(model.scores(X).shape(), (Shape{2, 1}));
  EXPECT_DOUBLE_EQ(model.metric_sum(model.scores(X), y), 4.0);
  EXPECT_EQ(model.metric().name, "mae");
  EXPECT_FALSE(model.metric().higher_is_better);
  NumpyRandom rng2(0);
  LinearRegressionModel no_bias({2, 0.0, false, DType::f64}, rng2);
  EXPECT_EQ(no_bias.params().count("b"), 0u);
}

TEST(HousingSgdModel, BadInputsAreClearErrors) {
  NumpyRandom rng(0);
  LinearRegressionModel model({3, 0.0, true, DType::f32}, rng);
  try {
    model.scores(Tensor({4, 2}, DType::f32));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected X of shape (N, 3), got (4, 2)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model.scores(Tensor({4, 3}, DType::f64)), Error);  // dtype
  EXPECT_THROW(model.loss(Tensor({4, 3}, DType::f32), Tensor({5}, DType::f32)), Error);
  EXPECT_THROW(model.to(Device::cuda), Error);
  EXPECT_THROW(LinearRegressionModel({3, -1.0, true, DType::f32}, rng), Error);
}

TEST(HousingSgdModel, SolverRecoversAnExactFitWithEveryUpdateRule) {
  const Synthetic tr = synthetic(128, 2), va = synthetic(32, 3);
  const Dataset train(tr.X.to(DType::f32), tr.y.to(DType::f32), Tensor());
  const Dataset val(va.X.to(DType::f32), va.y.to(DType::f32), Tensor());
  for (const char* rule : {"sgd", "sgd_momentum", "rmsprop", "adam"}) {
    NumpyRandom rng(231);
    LinearRegressionModel model({3, 0.0, true, DType::f32}, rng);
    SolverOptions so;
    so.optim.rule = parse_update_rule(rule);
    so.optim.learning_rate = so.optim.rule == UpdateRule::sgd ? 0.1 : 0.01;
    so.batch_size = 16;
    so.num_epochs = 200;
    so.verbose = false;
    std::ostringstream out;
    Solver solver(model, train, val, so, rng, out);
    ASSERT_TRUE(solver.train()) << rule;
    const LinearModel m = model.linear_model();
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(m.w[j], tr.w[j], 2e-3) << rule << " w" << j;
    EXPECT_NEAR(m.b, tr.b, 2e-3) << rule;
    EXPECT_LT(solver.best_val_metric(), 5e-3) << rule;  // validation MAE
    EXPECT_LT(solver.history().loss_history.back(), 1e-3 * solver.history().loss_history.front()) << rule;
  }
}
