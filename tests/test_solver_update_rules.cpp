// The Solver's parameter updates against hand-computed cs231n update rules,
// with learning-rate decay per epoch. Toy model: loss = 0.5 * |W|^2, dW = W.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "host/solver/solver.h"
#include "solver_test_util.h"

using namespace convlab;

namespace {

const std::vector<double> kW0 = {1.0, -2.0, 0.5};

}  // namespace

TEST(SolverUpdateRules, HandComputedValuesAfterTwoDecayedSteps) {
  struct Case {
    UpdateRule rule;
    double lr;
  };
  for (const Case c : {Case{UpdateRule::sgd, 0.1}, Case{UpdateRule::sgd_momentum, 0.1}, Case{UpdateRule::rmsprop, 0.01},
                       Case{UpdateRule::adam, 0.01}, Case{UpdateRule::adamw, 0.01}}) {
    SCOPED_TRACE(update_rule_name(c.rule));
    std::vector<double> expect;
    for (double w0 : kW0) {
      const double lr1 = c.lr, lr2 = c.lr * 0.5;
      double w = w0;
      switch (c.rule) {
        case UpdateRule::sgd:
          w -= lr1 * w;
          w -= lr2 * w;
          break;
        case UpdateRule::sgd_momentum: {
          double v = 0.9 * 0.0 - lr1 * w;
          w += v;
          v = 0.9 * v - lr2 * w;
          w += v;
          break;
        }
        case UpdateRule::rmsprop: {
          double cache = 0.01 * w * w;  // decay_rate 0.99
          w -= lr1 * w / (std::sqrt(cache) + 1e-8);
          cache = 0.99 * cache + 0.01 * w * w;
          w -= lr2 * w / (std::sqrt(cache) + 1e-8);
          break;
        }
        case UpdateRule::adam:
        case UpdateRule::adamw: {
          // adamw: decoupled weight decay 0.01 (its default) at the current,
          // decayed learning rate, after the gradient (g = w) is taken.
          const double wd = c.rule == UpdateRule::adamw ? 0.01 : 0.0;
          double m = 0, v = 0;
          for (int t = 1; t <= 2; ++t) {
            const double g = w, lr = t == 1 ? lr1 : lr2;
            w *= 1 - lr * wd;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            const double mt = m / (1 - std::pow(0.9, t)), vt = v / (1 - std::pow(0.999, t));
            w -= lr * mt / (std::sqrt(vt) + 1e-8);
          }
          break;
        }
      }
      expect.push_back(w);
    }
    // The trained W is read after the last check (the Solver then restores
    // the best parameters, here those of the first check).
    test::QuadraticModel model(kW0);
    SolverOptions o;
    o.optim.rule = c.rule;
    o.optim.learning_rate = c.lr;
    o.lr_decay = 0.5;
    o.batch_size = 2;
    o.num_epochs = 2;
    o.verbose = false;
    NumpyRandom rng(0);
    std::ostringstream out;
    // Labels 0: accuracy 0 at every check while W[0] > 0 -> never improves after the first check.
    Solver solver(model, test::toy_dataset({0, 0}), test::toy_dataset({0, 0}), o, rng, out);
    std::vector<double> trained;
    solver.on_check = [&](int64_t epoch, bool) {
      if (epoch == 2) trained = model.params().at("W").to_vector();
    };
    ASSERT_TRUE(solver.train());
    ASSERT_EQ(trained.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(trained[i], expect[i], 1e-12 + 1e-9 * std::fabs(expect[i])) << i;
    // Training ends with the best (first-check) parameters loaded: W after one step.
    EXPECT_NE(model.params().at("W").item(0), trained[0]);
  }
}

TEST(SolverUpdateRules, BatchesAreNumpyChoiceDrawsFromTheRunRng) {
  test::QuadraticModel model({1.0});
  std::vector<int> labels(10);
  for (int i = 0; i < 10; ++i) labels[i] = i;  // label = sample index, so batches reveal the indices
  SolverOptions o;
  o.optim.learning_rate = 1e-3;
  o.batch_size = 3;
  o.num_epochs = 2;         // 10 // 3 = 3 iterations per epoch
  o.num_train_samples = 4;  // check_metric draws 4 of the 10 training samples
  o.verbose = false;
  NumpyRandom rng(231);
  std::ostringstream out;
  Solver solver(model, test::toy_dataset(labels), test::toy_dataset(labels), o, rng, out);
  ASSERT_TRUE(solver.train());
  ASSERT_EQ(model.batches.size(), 6u);
  // Replay np.random.seed(231): batch 1, then check (train subset 4 draws; val is full), then
  // batches 2 and 3, check, batches 4..6, check.
  NumpyRandom ref(231);
  std::vector<std::vector<double>> expect;
  auto batch = [&]() {
    std::vector<double> b;
    for (int i = 0; i < 3; ++i) b.push_back(static_cast<double>(ref.randint(0, 10)));
    expect.push_back(b);
  };
  auto check = [&]() {
    for (int i = 0; i < 4; ++i) ref.randint(0, 10);
  };
  batch();
  check();
  batch();
  batch();
  check();
  batch();
  batch();
  batch();
  EXPECT_EQ(model.batches, expect);
  EXPECT_EQ(solver.history().loss_history.size(), 6u);
  EXPECT_EQ(solver.history().train_metric.size(), 3u);
  EXPECT_EQ(solver.history().check_epoch, (std::vector<int64_t>{0, 1, 2}));
}
