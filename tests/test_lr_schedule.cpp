// Learning-rate schedules (host/solver/lr_schedule.h) against hand-computed
// values, their config validation, and the Solver's use of them and of
// fractional num_epochs (iteration count, checks, resume).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "expect_error.h"
#include "host/config/config.h"
#include "host/solver/lr_schedule.h"
#include "host/solver/solver.h"
#include "solver_test_util.h"

using namespace convlab;
using nlohmann::json;

namespace {

LrSchedule parse(const json& schedule, const json& solver_extra = json::object()) {
  json j = {{"model", {{"type", "three_layer_convnet"}}}, {"solver", solver_extra}};
  j["solver"]["lr_schedule"] = schedule;
  return config::parse_run_config(j).solver.lr_schedule;
}

std::string parse_error(const json& schedule, const json& solver_extra = json::object()) {
  try {
    parse(schedule, solver_extra);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(LrSchedule, StepIsTheSolversPerEpochDecayMultipliedOneEpochAtATime) {
  LrSchedule s;  // step
  s.lr_decay = 0.95;
  const double base = 1e-3;
  double expected = base;  // what the Solver computed in place: lr = lr * decay after every epoch
  for (int64_t t = 0; t < 70; ++t) {
    if (t > 0 && t % 7 == 0) expected = expected * 0.95;
    EXPECT_EQ(lr_at(s, base, t, 70, 7), expected) << t;  // bit-identical
  }
  s.lr_decay = 0.5;
  EXPECT_DOUBLE_EQ(lr_at(s, 0.1, 9, 100, 10), 0.1);
  EXPECT_DOUBLE_EQ(lr_at(s, 0.1, 10, 100, 10), 0.05);
  EXPECT_DOUBLE_EQ(lr_at(s, 0.1, 25, 100, 10), 0.025);
  LrSchedule c;
  c.type = LrScheduleType::constant;
  EXPECT_EQ(lr_at(c, 0.3, 0, 50, 5), 0.3);
  EXPECT_EQ(lr_at(c, 0.3, 49, 50, 5), 0.3);
}

TEST(LrSchedule, CosineAtTheQuartersOfTheRun) {
  LrSchedule s;
  s.type = LrScheduleType::cosine;
  s.final = 0.1;
  // 0.1 + 0.9 * (1 + cos(pi p)) / 2 at p = 0, 1/4, 1/2, 3/4, 1
  EXPECT_DOUBLE_EQ(lr_at(s, 2.0, 0, 100, 10), 2.0);
  EXPECT_NEAR(lr_at(s, 2.0, 25, 100, 10), 2.0 * (0.1 + 0.9 * 0.8535533905932737), 1e-12);
  EXPECT_NEAR(lr_at(s, 2.0, 50, 100, 10), 2.0 * 0.55, 1e-12);
  EXPECT_NEAR(lr_at(s, 2.0, 75, 100, 10), 2.0 * (0.1 + 0.9 * 0.14644660940672627), 1e-12);
  EXPECT_NEAR(lr_at(s, 2.0, 100, 100, 10), 0.2, 1e-12);
}

TEST(LrSchedule, WarmupThenLinearOrCosineDecay) {
  LrSchedule s;
  s.type = LrScheduleType::warmup;
  s.warmup = 0.1;  // 10 of 100 iterations
  EXPECT_EQ(warmup_iterations(s, 100, 10), 10);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 0, 100, 10), 0.0);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 5, 100, 10), 0.5);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 10, 100, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 55, 100, 10), 0.5);  // halfway down to final 0
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 100, 100, 10), 0.0);
  s.start = 0.2;
  s.final = 0.1;
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 0, 100, 10), 0.2);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 5, 100, 10), 0.6);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 55, 100, 10), 0.55);
  s.decay = LrDecay::cosine;
  s.warmup_epochs = 2;  // 2 epochs of 10 iterations, in place of the fraction
  EXPECT_EQ(warmup_iterations(s, 100, 10), 20);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 10, 100, 10), 0.6);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 20, 100, 10), 1.0);
  EXPECT_NEAR(lr_at(s, 1.0, 60, 100, 10), 0.55, 1e-12);  // cosine halfway: (1 + 0.1) / 2
  EXPECT_NEAR(lr_at(s, 1.0, 100, 100, 10), 0.1, 1e-12);
  // A warm-up over the whole run never decays.
  s.warmup_epochs = 20;
  EXPECT_EQ(warmup_iterations(s, 100, 10), 100);
  EXPECT_DOUBLE_EQ(lr_at(s, 1.0, 50, 100, 10), 0.6);
}

TEST(LrSchedule, PiecewiseLinearTriangleAtItsKnotsAndBetween) {
  LrSchedule s;
  s.type = LrScheduleType::piecewise_linear;
  s.points = {{0, 0.2}, {0.23, 1.0}, {1, 0.07}};
  EXPECT_DOUBLE_EQ(lr_at(s, 0.5, 0, 100, 10), 0.1);
  EXPECT_DOUBLE_EQ(lr_at(s, 0.5, 23, 100, 10), 0.5);
  EXPECT_DOUBLE_EQ(lr_at(s, 0.5, 100, 100, 10), 0.035);
  EXPECT_NEAR(lr_at(s, 1.0, 10, 100, 10), 0.2 + 0.8 * 10.0 / 23.0, 1e-12);   // 0.547826...
  EXPECT_NEAR(lr_at(s, 1.0, 50, 100, 10), 1.0 - 0.93 * 27.0 / 77.0, 1e-12);  // 0.673896...
  EXPECT_NEAR(lr_at(s, 1.0, 99, 100, 10), 1.0 - 0.93 * 76.0 / 77.0, 1e-12);  // 0.082078...
}

TEST(LrSchedule, ConfigParsesEveryTypeAndWritesTheResolvedSchedule) {
  EXPECT_EQ(parse(json::object()).type, LrScheduleType::step);
  EXPECT_EQ(parse({{"type", "constant"}}).type, LrScheduleType::constant);
  EXPECT_EQ(parse({{"type", "cosine"}, {"final", 0.01}}).final, 0.01);
  const LrSchedule w = parse({{"type", "warmup"}, {"warmup_epochs", 1.5}, {"decay", "cosine"}, {"start", 0.1}});
  EXPECT_EQ(w.warmup_epochs, 1.5);
  EXPECT_EQ(w.decay, LrDecay::cosine);
  EXPECT_EQ(w.start, 0.1);
  const LrSchedule p =
      parse(json::parse(R"({"type": "piecewise_linear", "points": [[0, 0.2], [0.23, 1], [1, 0.07]]})"));
  ASSERT_EQ(p.points.size(), 3u);
  EXPECT_EQ(p.points[1], std::make_pair(0.23, 1.0));
  // step keeps lr_decay in solver.lr_decay.
  EXPECT_EQ(parse(json::object(), {{"lr_decay", 0.9}}).lr_decay, 0.9);

  json j = json::parse(R"({"model": {"type": "three_layer_convnet"},
      "solver": {"num_epochs": 3, "lr_schedule": {"type": "piecewise_linear", "points": [[0, 0], [1, 1]]}}})");
  config::RunConfig c = config::parse_run_config(j);
  EXPECT_EQ(c.resolved["solver"]["lr_schedule"],
            json::parse(R"({"type": "piecewise_linear", "points": [[0, 0], [1, 1]]})"));
  EXPECT_TRUE(c.resolved["solver"]["num_epochs"].is_number_integer());  // an integer stays one
  EXPECT_EQ(c.resolved["solver"]["num_epochs"], 3);
  j["solver"]["num_epochs"] = 9.9;
  c = config::parse_run_config(j);
  EXPECT_EQ(c.solver.num_epochs, 9.9);
  EXPECT_EQ(c.resolved["solver"]["num_epochs"], 9.9);
  EXPECT_EQ(config::parse_run_config(json::parse(R"({"model": {"type": "fc_net"}})")).resolved["solver"]["lr_schedule"],
            json::parse(R"({"type": "step"})"));
}

TEST(LrSchedule, ConfigErrorsNameThePath) {
  EXPECT_NE(parse_error({{"type", "triangle"}}).find("solver.lr_schedule.type: expected one of"), std::string::npos)
      << parse_error({{"type", "triangle"}});
  EXPECT_EQ(parse_error({{"type", "cosine"}, {"warmup", 0.1}}),
            "solver.lr_schedule.warmup: unknown key (known keys: final, type)");
  EXPECT_NE(parse_error({{"type", "cosine"}}, {{"lr_decay", 0.9}})
                .find("solver.lr_decay: 0.9 is only used by lr_schedule type \"step\", not \"cosine\""),
            std::string::npos);
  EXPECT_NE(parse_error({{"type", "cosine"}, {"final", -1}}).find("solver.lr_schedule.final"), std::string::npos);
  EXPECT_NE(parse_error({{"type", "warmup"}}).find("solver.lr_schedule.warmup: required"), std::string::npos);
  EXPECT_NE(parse_error({{"type", "warmup"}, {"warmup", 0.1}, {"warmup_epochs", 1}})
                .find("solver.lr_schedule.warmup_epochs: give either warmup"),
            std::string::npos);
  EXPECT_NE(parse_error({{"type", "warmup"}, {"warmup", 1.5}}).find("solver.lr_schedule.warmup"), std::string::npos);
  EXPECT_NE(parse_error({{"type", "warmup"}, {"warmup", 0.1}, {"decay", "step"}}).find("solver.lr_schedule.decay"),
            std::string::npos);
  auto pw = [](const char* points) {
    return parse_error(json::parse(std::string(R"({"type": "piecewise_linear", "points": )") + points + "}"));
  };
  EXPECT_NE(pw("[[0, 1]]").find("solver.lr_schedule.points: expected a list of at least two"), std::string::npos);
  EXPECT_NE(pw("null").find("solver.lr_schedule.points: expected a list"), std::string::npos);
  EXPECT_EQ(pw("[[0, 1], [0.5, 2], [0.4, 1], [1, 0]]"),
            "solver.lr_schedule.points[2]: x must increase from point to point, got 0.4 after 0.5");
  EXPECT_EQ(pw("[[0, 1], [1.5, 0]]"),
            "solver.lr_schedule.points[1]: x (the fraction of the run) must be in [0, 1], got 1.5");
  EXPECT_NE(pw("[[0, 1], [1, -1]]").find("points[1]: y (the multiplier of the learning rate) must be in [0, 1000]"),
            std::string::npos);
  EXPECT_NE(pw("[[0, 1], [1]]").find("points[1]: expected a point [x, y] of two numbers"), std::string::npos);
  EXPECT_NE(pw("[[0.1, 1], [1, 0]]").find("points[0]: the first point must be at x = 0"), std::string::npos);
  EXPECT_NE(pw("[[0, 1], [0.9, 0]]").find("points[1]: the last point must be at x = 1"), std::string::npos);
  json bad = {{"model", {{"type", "three_layer_convnet"}}}, {"solver", {{"num_epochs", 0}}}};
  EXPECT_ERROR_CONTAINS(config::parse_run_config(bad), "solver.num_epochs");
  bad["solver"]["num_epochs"] = "2";
  EXPECT_ERROR_CONTAINS(config::parse_run_config(bad), "solver.num_epochs");
}

namespace {

// SGD on 0.5 W^2 with 10 samples, batch 2: 5 iterations per epoch.
SolverOptions toy_options(double num_epochs) {
  SolverOptions so;
  so.optim.rule = UpdateRule::sgd_momentum;
  so.optim.learning_rate = 0.1;
  so.batch_size = 2;
  so.num_epochs = num_epochs;
  so.print_every = 1000;
  so.verbose = false;
  so.lr_schedule.type = LrScheduleType::warmup;
  so.lr_schedule.warmup = 0.3;
  so.lr_schedule.decay = LrDecay::cosine;
  return so;
}
const std::vector<int> kLabels = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};

}  // namespace

TEST(LrSchedule, SolverSetsTheLearningRateOfEveryIteration) {
  SolverOptions so = toy_options(2);
  so.optim.rule = UpdateRule::sgd;
  test::QuadraticModel model({1.0});
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver solver(model, test::toy_dataset(kLabels), test::toy_dataset(kLabels), so, rng, out);
  ASSERT_EQ(solver.num_iterations(), 10);
  ASSERT_TRUE(solver.train());
  // SGD on 0.5 W^2: W <- W (1 - lr_t), so loss_t = 0.5 prod_{s < t} (1 - lr_s)^2.
  double w = 1.0;
  const auto& loss = solver.history().loss_history;
  ASSERT_EQ(loss.size(), 10u);
  for (int64_t t = 0; t < 10; ++t) {
    EXPECT_NEAR(loss[static_cast<std::size_t>(t)], 0.5 * w * w, 1e-15) << t;
    w *= 1.0 - lr_at(so.lr_schedule, 0.1, t, 10, 5);
  }
  EXPECT_EQ(lr_at(so.lr_schedule, 0.1, 3, 10, 5), 0.1);  // the top, after 3 warm-up iterations
}

TEST(LrSchedule, FractionalEpochsRunCeilOfTheIterationsAndCheckAtTheEnd) {
  test::QuadraticModel model({1.0});
  NumpyRandom rng(0);
  std::ostringstream out;
  SolverOptions so = toy_options(2.5);
  so.verbose = true;
  Solver solver(model, test::toy_dataset(kLabels), test::toy_dataset(kLabels), so, rng, out);
  EXPECT_EQ(solver.iterations_per_epoch(), 5);
  EXPECT_EQ(solver.num_iterations(), 13);  // ceil(2.5 x 5)
  EXPECT_EQ(solver.num_epochs_total(), 3);
  ASSERT_TRUE(solver.train());
  const History& h = solver.history();
  EXPECT_EQ(h.loss_history.size(), 13u);
  EXPECT_EQ(h.check_epoch, (std::vector<int64_t>{0, 1, 2, 3}));  // the last, partial epoch is epoch 3
  EXPECT_EQ(h.epoch_time_s.size(), 3u);
  EXPECT_EQ(solver.epoch(), 3);
  EXPECT_EQ(solver.iterations_done(), 13);
  EXPECT_NE(out.str().find("(Epoch 3 / 2.5) train acc:"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("(Iteration 1 / 13) loss:"), std::string::npos) << out.str();
  // The rounding error of the product does not add an iteration: 9.9 x 10 is 99, and 0.1 epochs is one iteration.
  std::vector<int> twenty(20, 0);
  Solver s99(model, test::toy_dataset(twenty), test::toy_dataset(kLabels), toy_options(9.9), rng, out);
  EXPECT_EQ(s99.iterations_per_epoch(), 10);
  EXPECT_EQ(s99.num_iterations(), 99);
  Solver s1(model, test::toy_dataset(twenty), test::toy_dataset(kLabels), toy_options(0.01), rng, out);
  EXPECT_EQ(s1.num_iterations(), 1);
  EXPECT_ERROR_CONTAINS(Solver(model, test::toy_dataset(twenty), test::toy_dataset(kLabels), toy_options(0), rng, out),
                        "num_epochs must be > 0");
}

TEST(LrSchedule, ResumingAFractionalRunAfterAFullEpochMatchesTheUninterruptedRun) {
  const SolverOptions so = toy_options(2.6);  // 13 iterations: epochs of 5, 5 and 3
  NumpyRandom rng(0);
  std::ostringstream out;
  test::QuadraticModel a({1.0, -2.0});
  Solver full(a, test::toy_dataset(kLabels), test::toy_dataset(kLabels), so, rng, out);
  ASSERT_EQ(full.num_iterations(), 13);
  // The state after epoch 1, as the resume state keeps it.
  std::vector<double> w1;
  History h1;
  double best_val1 = 0;
  int64_t best_epoch1 = -1;
  std::map<std::string, Tensor> best1;
  std::map<std::string, OptimState> optim1;
  full.on_check = [&](int64_t epoch, bool) {
    if (epoch != 1) return;
    w1 = a.params().at("W").to_vector();
    h1 = full.history();
    best_val1 = full.best_val_metric();
    best_epoch1 = full.best_epoch();
    for (const auto& kv : full.best_state()) best1[kv.first] = kv.second.clone();
    for (auto& kv : full.optim_state()) optim1[kv.first] = {kv.second.s1.clone(), kv.second.s2.clone()};
  };
  ASSERT_TRUE(full.train());
  ASSERT_EQ(w1.size(), 2u);
  ASSERT_EQ(optim1.count("W"), 1u);  // momentum's velocity

  test::QuadraticModel b(w1);
  Solver resumed(b, test::toy_dataset(kLabels), test::toy_dataset(kLabels), so, rng, out);
  resumed.resume(1, h1, best_val1, best_epoch1, best1, optim1);
  EXPECT_EQ(resumed.iterations_done(), 5);
  ASSERT_TRUE(resumed.train());
  EXPECT_EQ(resumed.history().loss_history, full.history().loss_history);  // bit-identical
  EXPECT_EQ(resumed.history().check_epoch, full.history().check_epoch);
  EXPECT_EQ(resumed.epoch(), 3);
  EXPECT_EQ(resumed.iterations_done(), 13);
  EXPECT_EQ(b.params().at("W").to_vector(), a.params().at("W").to_vector());
}
