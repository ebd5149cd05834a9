// Parameter groups (solver.param_groups): glob and group matching, the
// layer kinds and roles of a model's parameters, the plan and its errors,
// config validation with JSON paths, and the Solver's updates with
// multipliers (lr_mult 64 on beta, worked out by hand), frozen parameters and
// train_epochs (unchanged after epoch n, optimiser state untouched), and a
// resumed run that continues identically.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <vector>

#include "expect_error.h"
#include "host/config/config.h"
#include "host/fill.h"
#include "host/solver/param_groups.h"
#include "host/solver/solver.h"
#include "models/linear_regression.h"
#include "models/model_factory.h"
#include "solver_test_util.h"

using namespace convlab;
using nlohmann::json;

namespace {

// loss = 0.5 * sum(w^2) over W1, b1 (a "conv"), gamma1, beta1 (a
// "spatial_batchnorm"), so every gradient equals its parameter. Scores are
// zeros: the accuracy on labels 0 is 1 at every check.
class FourParamModel : public Model {
 public:
  FourParamModel() {
    for (const auto& kv : std::map<std::string, double>{{"W1", 1.0}, {"b1", -1.0}, {"gamma1", 2.0}, {"beta1", 0.5}})
      w_[kv.first] = Tensor::from_vector({kv.second, kv.second}, {2});
  }
  std::string type() const override { return "four"; }
  Tensor loss(const Tensor&, const Tensor&) override {
    double s = 0;
    for (auto& kv : w_) {
      g_[kv.first] = kv.second.clone();
      for (int64_t i = 0; i < kv.second.numel(); ++i) s += 0.5 * kv.second.item(i) * kv.second.item(i);
    }
    return Tensor::scalar(s);
  }
  Tensor scores(const Tensor& X) override { return Tensor({X.dim(0), 2}, DType::f64); }
  std::map<std::string, Tensor> params() override { return w_; }
  std::map<std::string, Tensor> grads() override { return g_; }
  std::map<std::string, ParamInfo> param_info() override {
    return {{"W1", {"conv", "weight"}},
            {"b1", {"conv", "bias"}},
            {"gamma1", {"spatial_batchnorm", "weight"}},
            {"beta1", {"spatial_batchnorm", "bias"}}};
  }
  void to(Device) override {}
  Device device() const override { return Device::cpu; }
  json describe() const override { return {{"type", "four"}}; }
  void set_frozen(const std::set<std::string>& names) override { frozen_calls.push_back(names); }
  std::vector<std::set<std::string>> frozen_calls;  // what the solver said, in order

 private:
  std::map<std::string, Tensor> w_, g_;
};

// The solver section of a config with these groups, parsed (as `convlab train` does).
std::vector<ParamGroup> groups_of(const std::string& list) {
  json j = {{"model", {{"type", "three_layer_convnet"}}}, {"solver", {{"param_groups", json::parse(list)}}}};
  return config::parse_run_config(j).solver.param_groups;
}

std::string config_error(const json& solver) {
  json j = {{"model", {{"type", "three_layer_convnet"}}}, {"solver", solver}};
  try {
    config::parse_run_config(j);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ParamGroups, GlobMatchesWholeNames) {
  EXPECT_TRUE(glob_match("b*", "b1"));
  EXPECT_TRUE(glob_match("b*", "beta12"));
  EXPECT_FALSE(glob_match("b*", "W1"));
  EXPECT_TRUE(glob_match("W1", "W1"));
  EXPECT_FALSE(glob_match("W1", "W12"));
  EXPECT_TRUE(glob_match("W?", "W3"));
  EXPECT_FALSE(glob_match("W?", "W"));
  EXPECT_TRUE(glob_match("*a*1", "gamma1"));
  EXPECT_FALSE(glob_match("*a*1", "gamma2"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("", "W1"));
}

TEST(ParamGroups, RolesFromCs231nNames) {
  EXPECT_EQ(param_role("W1"), "weight");
  EXPECT_EQ(param_role("gamma3"), "weight");
  EXPECT_EQ(param_role("b2"), "bias");
  EXPECT_EQ(param_role("beta1"), "bias");
}

TEST(ParamGroups, LayerStackModelGivesLayerKindsAndRoles) {
  NumpyRandom rng(0);
  // The conv fused with relu and pool still reports "conv".
  ModelPtr m = build_model(json::parse(R"({"type": "sequential", "input_dim": [3, 8, 8], "num_classes": 10,
      "layers": [{"type": "conv", "num_filters": 4}, {"type": "spatial_batchnorm"}, {"type": "relu"},
                 {"type": "max_pool"}, {"type": "affine", "out_dim": 10}]})"),
                           rng);
  const auto info = m->param_info();
  ASSERT_EQ(info.size(), m->params().size());
  const std::map<std::string, std::pair<std::string, std::string>> want = {{"W1", {"conv", "weight"}},
                                                                           {"b1", {"conv", "bias"}},
                                                                           {"gamma1", {"spatial_batchnorm", "weight"}},
                                                                           {"beta1", {"spatial_batchnorm", "bias"}},
                                                                           {"W2", {"affine", "weight"}},
                                                                           {"b2", {"affine", "bias"}}};
  for (const auto& kv : want) {
    ASSERT_TRUE(info.count(kv.first)) << kv.first;
    EXPECT_EQ(info.at(kv.first).layer, kv.second.first) << kv.first;
    EXPECT_EQ(info.at(kv.first).role, kv.second.second) << kv.first;
  }
  ModelPtr fused = build_model(json::parse(R"({"type": "three_layer_convnet", "input_dim": [3, 8, 8],
      "num_filters": 2, "hidden_dim": 5})"),
                               rng);
  EXPECT_EQ(fused->param_info().at("W1").layer, "conv");
  EXPECT_EQ(fused->param_info().at("W3").layer, "affine");
  LinearRegressionModel lin({3, 0.0, true, DType::f32}, rng);
  EXPECT_EQ(lin.param_info().at("W").layer, "affine");
  EXPECT_EQ(lin.param_info().at("W").role, "weight");
  EXPECT_EQ(lin.param_info().at("b").role, "bias");
}

// A layer stack told that its first layers are frozen leaves their gradients
// undefined, stops the backward pass below the last layer that trains, and
// gives every other gradient (and the loss, L2 of frozen weights included)
// exactly as before.
TEST(ParamGroups, LayerStackModelSkipsTheBackwardOfFrozenLayers) {
  NumpyRandom rng(4);
  ModelPtr m = build_model(json::parse(R"({"type": "sequential", "input_dim": [3, 6, 6], "num_classes": 5,
      "dtype": "float64", "reg": 0.1, "layers": [{"type": "conv", "num_filters": 4}, {"type": "gelu"},
      {"type": "conv", "num_filters": 4}, {"type": "spatial_batchnorm"}, {"type": "relu"},
      {"type": "affine", "out_dim": 5}]})"),
                           rng);
  const Tensor X = randn(rng, {3, 3, 6, 6}, DType::f64);
  const Tensor y = Tensor::from_vector({0.0, 3.0, 4.0}, {3}).to(DType::i32);
  const double loss = m->loss_value(X, y);
  const auto all = m->grads();
  auto expect_same_grads_except = [&](const std::set<std::string>& frozen) {
    EXPECT_EQ(m->loss_value(X, y), loss);
    for (const auto& kv : m->grads()) {
      SCOPED_TRACE(kv.first);
      if (frozen.count(kv.first)) {
        EXPECT_FALSE(kv.second.defined());
        continue;
      }
      ASSERT_TRUE(kv.second.defined());
      for (int64_t i = 0; i < kv.second.numel(); ++i) ASSERT_EQ(kv.second.item(i), all.at(kv.first).item(i));
    }
  };
  for (const std::set<std::string>& frozen :
       {std::set<std::string>{"W1", "b1"}, {"W1", "b1", "W2"}, {"W1", "b1", "W2", "b2", "gamma2"}, {"beta2"}, {}}) {
    SCOPED_TRACE(::testing::PrintToString(frozen));
    for (const auto& name : frozen) ASSERT_TRUE(all.count(name)) << name;
    m->set_frozen(frozen);
    expect_same_grads_except(frozen);
  }
}

TEST(ParamGroups, FirstMatchingGroupAppliesAllCriteriaMustMatch) {
  FourParamModel m;
  const auto groups = groups_of(R"([
      {"match": {"layer": "spatial_batchnorm", "role": "bias"}, "lr_mult": 64, "wd_mult": 0.015625},
      {"match": {"name": "b*"}, "lr_mult": 2},
      {"match": {"layer": "spatial_batchnorm"}, "frozen": true},
      {"match": {"role": "weight", "name": "W?"}, "train_epochs": 3}])");
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[2].where, "solver.param_groups[2]");
  const ParamPlan plan = resolve_param_groups(groups, m.param_info(), 10);
  EXPECT_EQ(plan.at("beta1").lr_mult, 64);  // group 0 (group 1's b* also matches beta1)
  EXPECT_EQ(plan.at("beta1").wd_mult, 0.015625);
  EXPECT_EQ(plan.at("b1").lr_mult, 2);  // group 1
  EXPECT_EQ(plan.at("b1").wd_mult, 1);
  EXPECT_EQ(plan.at("gamma1").train_until, 0);  // frozen
  EXPECT_FALSE(plan.at("gamma1").updated_at(0));
  EXPECT_EQ(plan.at("W1").train_until, 30);  // 3 epochs of 10 iterations
  EXPECT_TRUE(plan.at("W1").updated_at(29));
  EXPECT_FALSE(plan.at("W1").updated_at(30));
  EXPECT_TRUE(plan.at("b1").updated_at(1000000));
  EXPECT_EQ(describe_param_plan(plan, 10),
            "param_groups: W1 frozen after epoch 3, b1 lr x2, beta1 lr x64 wd x0.015625, gamma1 frozen");
  EXPECT_EQ(describe_param_plan({}, 10), "");
  // Unmatched parameters get the defaults.
  const ParamPlan partial =
      resolve_param_groups(groups_of(R"([{"match": {"name": "W1"}, "lr_mult": 3}])"), m.param_info(), 10);
  EXPECT_EQ(partial.count("b1"), 0u);
  EXPECT_EQ(partial.at("W1").lr_mult, 3);
}

TEST(ParamGroups, GroupThatMatchesNothingIsAnErrorNamingIt) {
  FourParamModel m;
  EXPECT_ERROR_CONTAINS(
      resolve_param_groups(groups_of(R"([{"match": {"name": "W*"}}, {"match": {"layer": "affine"}}])"), m.param_info(),
                           10),
      "solver.param_groups[1]: matches no parameter of the model (parameters: W1 (conv weight), b1 (conv bias)");
  EXPECT_ERROR_CONTAINS(resolve_param_groups(groups_of(R"([{"match": {"role": "bias"}}, {"match": {"name": "b1"}}])"),
                                             m.param_info(), 10),
                        "solver.param_groups[1]: matches only parameters that an earlier group already matches");
  // The Solver resolves them against its model.
  SolverOptions o;
  o.param_groups = groups_of(R"([{"match": {"name": "gamma9"}, "frozen": true}])");
  o.verbose = false;
  NumpyRandom rng(1);
  std::ostringstream out;
  EXPECT_ERROR_CONTAINS(Solver(m, test::toy_dataset({0, 0}), test::toy_dataset({0}), o, rng, out),
                        "solver.param_groups[0]: matches no parameter");
}

TEST(ParamGroups, ConfigErrorsNameTheJsonPath) {
  auto error_of = [](const char* groups) {
    return config_error(json::parse(std::string(R"({"param_groups": )") + groups + "}"));
  };
  auto has = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos
               ? testing::AssertionSuccess()
               : testing::AssertionFailure() << "\"" << text << "\" lacks \"" << part << "\"";
  };
  EXPECT_TRUE(has(error_of(R"([{"match": {"role": "scale"}}])"), "solver.param_groups[0].match.role"));
  EXPECT_TRUE(has(error_of(R"([{"match": {}, "lr_mul": 2}])"),
                  "solver.param_groups[0].lr_mul: unknown key (did you mean lr_mult?)"));
  EXPECT_TRUE(has(error_of(R"([{"lr_mult": 2}])"), "solver.param_groups[0].match"));
  EXPECT_TRUE(has(error_of(R"([{"match": {"name": ""}}])"), "solver.param_groups[0].match.name"));
  EXPECT_TRUE(has(error_of(R"([{"match": {"layer": 3}}])"), "solver.param_groups[0].match.layer"));
  EXPECT_TRUE(has(error_of(R"([{"match": {}, "wd_mult": -1}])"), "solver.param_groups[0].wd_mult"));
  EXPECT_TRUE(
      has(error_of(R"([{"match": {}, "frozen": true, "train_epochs": 2}])"), "solver.param_groups[0].train_epochs"));
  EXPECT_TRUE(has(error_of(R"([{"match": {}}, 3])"), "solver.param_groups[1]"));
  EXPECT_TRUE(has(error_of(R"("all")"), "solver.param_groups: expected a list"));
  EXPECT_EQ(error_of(R"([{"match": {"layer": "conv", "role": "bias", "name": "b*"}, "lr_mult": 2,
                         "wd_mult": 0, "train_epochs": 0}])"),
            "");
}

TEST(ParamGroups, OptimConfigKeysValidated) {
  auto cfg = [](const char* text) { return json::parse(text); };
  EXPECT_NE(config_error(cfg(R"({"update_rule": "adam", "optim_config": {"nesterov": true}})"))
                .find("solver.optim_config.nesterov: not used by update_rule \"adam\" (only by sgd_momentum)"),
            std::string::npos);
  EXPECT_NE(config_error(cfg(R"({"update_rule": "sgd_momentum", "optim_config": {"nesterov": true, "momentum": 0}})"))
                .find("solver.optim_config.nesterov: needs a momentum above 0"),
            std::string::npos);
  EXPECT_NE(config_error(cfg(R"({"update_rule": "adamw", "optim_config": {"weight_decay_mode": "coupled"}})"))
                .find("solver.optim_config.weight_decay_mode: adamw's weight decay is decoupled"),
            std::string::npos);
  EXPECT_NE(config_error(cfg(R"({"optim_config": {"weight_decay": -0.1}})")).find("solver.optim_config.weight_decay"),
            std::string::npos);
  EXPECT_NE(config_error(cfg(R"({"optim_config": {"weight_decay_mode": "l2"}})"))
                .find("solver.optim_config.weight_decay_mode"),
            std::string::npos);
  EXPECT_NE(config_error(cfg(R"({"update_rule": "adamw", "optim_config": {"momentum": 0.9}})")).find("momentum"),
            std::string::npos);

  json j = {{"model", {{"type", "three_layer_convnet"}}},
            {"solver", cfg(R"({"update_rule": "sgd_momentum", "optim_config": {"nesterov": true,
                "weight_decay": 5e-4, "weight_decay_mode": "decoupled"}})")}};
  config::RunConfig c = config::parse_run_config(j);
  EXPECT_TRUE(c.solver.optim.nesterov);
  EXPECT_DOUBLE_EQ(c.solver.optim.wd(), 5e-4);
  EXPECT_TRUE(c.solver.optim.decoupled());
  EXPECT_EQ(c.resolved["solver"]["optim_config"]["nesterov"], true);
  EXPECT_EQ(c.resolved["solver"]["optim_config"]["weight_decay_mode"], "decoupled");
  // adamw: weight decay 0.01 and decoupled by default, as PyTorch's AdamW.
  j["solver"] = {{"update_rule", "adamw"}};
  c = config::parse_run_config(j);
  EXPECT_EQ(c.solver.optim.rule, UpdateRule::adamw);
  EXPECT_DOUBLE_EQ(c.solver.optim.wd(), 0.01);
  EXPECT_DOUBLE_EQ(c.solver.optim.lr(), 1e-3);
  EXPECT_TRUE(c.solver.optim.decoupled());
  EXPECT_EQ(c.resolved["solver"]["update_rule"], "adamw");
  // Defaults: no weight decay, coupled; no param_groups in the resolved config.
  j["solver"] = json::object();
  c = config::parse_run_config(j);
  EXPECT_EQ(c.solver.optim.wd(), 0.0);
  EXPECT_FALSE(c.solver.optim.nesterov);
  EXPECT_FALSE(c.resolved["solver"].contains("param_groups"));
  EXPECT_TRUE(c.solver.param_groups.empty());
}

// sgd, lr 0.01, beta at 64x the lr and wd/64, decoupled weight decay 0.5:
//   W1 (1, 1):       w = 1 * (1 - 0.01 * 0.5) - 0.01 * 1 = 0.985
//   beta1 (0.5):     lr 0.64, wd 0.5 / 64: w = 0.5 * (1 - 0.005) - 0.64 * 0.5 = 0.1775
//   b1 (-1), lr_mult 0.5, wd_mult 0: w = -1 + 0.005 * 1 = -0.995
//   gamma1 frozen:   2 (and no optimiser state)
TEST(ParamGroups, UpdateParametersAppliesTheMultipliers) {
  FourParamModel m;
  m.loss(Tensor(), Tensor());
  const ParamPlan plan = resolve_param_groups(groups_of(R"([
      {"match": {"layer": "spatial_batchnorm", "role": "bias"}, "lr_mult": 64, "wd_mult": 0.015625},
      {"match": {"name": "b*"}, "lr_mult": 0.5, "wd_mult": 0},
      {"match": {"name": "gamma*"}, "frozen": true}])"),
                                              m.param_info(), 1);
  OptimConfig c;
  c.rule = UpdateRule::sgd_momentum;
  c.momentum = 0.0;  // keeps a state, which the frozen parameter must not get
  c.learning_rate = 0.01;
  c.weight_decay = 0.5;
  c.weight_decay_mode = WeightDecayMode::decoupled;
  std::map<std::string, OptimState> state;
  update_parameters(m, state, c, 1, plan);
  auto p = m.params();
  EXPECT_NEAR(p["W1"].item(1), 0.985, 1e-15);
  EXPECT_NEAR(p["beta1"].item(0), 0.1775, 1e-15);
  EXPECT_NEAR(p["b1"].item(0), -0.995, 1e-15);
  EXPECT_EQ(p["gamma1"].item(0), 2.0);
  EXPECT_EQ(state.count("gamma1"), 0u);
  EXPECT_TRUE(state.at("W1").s1.defined());
}

namespace {

struct Snapshot {
  std::map<std::string, std::vector<double>> w, s1;
};

Snapshot snapshot(Model& m, Solver& s) {
  Snapshot out;
  for (auto& kv : m.params()) out.w[kv.first] = kv.second.to_vector();
  for (auto& kv : s.optim_state())
    if (kv.second.s1.defined()) out.s1[kv.first] = kv.second.s1.to_vector();
  return out;
}

SolverOptions frozen_options(int64_t epochs) {
  SolverOptions o;
  o.optim.rule = UpdateRule::sgd_momentum;
  o.optim.nesterov = true;
  o.optim.learning_rate = 0.05;
  o.optim.weight_decay = 0.1;
  o.batch_size = 2;
  o.num_epochs = epochs;
  o.verbose = false;
  o.param_groups = groups_of(R"([{"match": {"name": "gamma*"}, "frozen": true},
                                 {"match": {"name": "b*"}, "train_epochs": 1, "lr_mult": 2}])");
  return o;
}

}  // namespace

TEST(ParamGroups, FrozenAndTrainEpochsInTheSolver) {
  // 4 samples, batch 2: 2 iterations per epoch; b1 and beta1 train in epoch 0 only.
  FourParamModel m;
  NumpyRandom rng(3);
  std::ostringstream out;
  Solver s(m, test::toy_dataset({0, 0, 0, 0}), test::toy_dataset({0, 0}), frozen_options(3), rng, out);
  std::vector<Snapshot> at_epoch(4);
  s.on_check = [&](int64_t epoch, bool) { at_epoch[static_cast<std::size_t>(epoch)] = snapshot(m, s); };
  ASSERT_TRUE(s.train());
  {  // A verbose Solver says what the groups do.
    SolverOptions o = frozen_options(1);
    o.verbose = true;
    std::ostringstream log;
    Solver v(m, test::toy_dataset({0, 0, 0, 0}), test::toy_dataset({0, 0}), o, rng, log);
    EXPECT_EQ(log.str(),
              "param_groups: b1 lr x2 frozen after epoch 1, beta1 lr x2 frozen after epoch 1, gamma1 frozen\n");
  }
  // Epoch 0's check comes after the first iteration.
  // The model hears of each change: gamma1 from the start, b1 and beta1 after epoch 0.
  EXPECT_EQ(m.frozen_calls, (std::vector<std::set<std::string>>{{"gamma1"}, {"b1", "beta1", "gamma1"}}));
  EXPECT_EQ(at_epoch[3].w["gamma1"], std::vector<double>({2.0, 2.0}));  // frozen: never moves
  EXPECT_EQ(at_epoch[3].s1.count("gamma1"), 0u);                        // and has no state
  EXPECT_NE(at_epoch[1].w["b1"], std::vector<double>({-1.0, -1.0}));    // trained in epoch 0
  EXPECT_EQ(at_epoch[2].w["b1"], at_epoch[1].w["b1"]);                  // unchanged after epoch 1
  EXPECT_EQ(at_epoch[3].w["b1"], at_epoch[1].w["b1"]);
  EXPECT_EQ(at_epoch[3].w["beta1"], at_epoch[1].w["beta1"]);
  EXPECT_EQ(at_epoch[3].s1["b1"], at_epoch[1].s1["b1"]);  // state untouched while frozen
  EXPECT_NE(at_epoch[3].w["W1"], at_epoch[2].w["W1"]);    // the others keep training
  EXPECT_NE(at_epoch[3].s1["W1"], at_epoch[2].s1["W1"]);
  // Two Nesterov steps of b1 at lr 0.1 (lr_mult 2) with coupled weight decay
  // 0.1, from -1 with dw = w: g = 1.1 w.
  //   step 1: g = -1.1, buf = -1.1, w = -1 + 0.1 * (1.1 + 0.99) = -0.791
  //   step 2: g = -0.8701, buf = -0.99 - 0.8701 = -1.8601,
  //           w = -0.791 + 0.1 * (0.8701 + 0.9 * 1.8601) = -0.791 + 0.254419 = -0.536581
  EXPECT_NEAR(at_epoch[1].w["b1"][0], -0.536581, 1e-12);
}

TEST(ParamGroups, ResumedRunContinuesIdentically) {
  // Straight through 3 epochs, against 1 epoch and then a resume from its
  // state (parameters and optimiser state per name) for the other 2.
  FourParamModel a;
  NumpyRandom rng_a(5);
  std::ostringstream out;
  Solver sa(a, test::toy_dataset({0, 0, 0, 0}), test::toy_dataset({0, 0}), frozen_options(3), rng_a, out);
  Snapshot end_a;
  sa.on_check = [&](int64_t epoch, bool) {
    if (epoch == 3) end_a = snapshot(a, sa);
  };
  ASSERT_TRUE(sa.train());

  FourParamModel b;
  NumpyRandom rng_b(5);
  Solver sb(b, test::toy_dataset({0, 0, 0, 0}), test::toy_dataset({0, 0}), frozen_options(1), rng_b, out);
  std::map<std::string, Tensor> params_after_1;
  sb.on_check = [&](int64_t epoch, bool) {
    if (epoch == 1)
      for (auto& kv : b.params()) params_after_1[kv.first] = kv.second.clone();
  };
  ASSERT_TRUE(sb.train());

  FourParamModel c;
  c.load_state(params_after_1);
  NumpyRandom rng_c(6);
  Solver sc(c, test::toy_dataset({0, 0, 0, 0}), test::toy_dataset({0, 0}), frozen_options(3), rng_c, out);
  std::map<std::string, OptimState> state;
  for (auto& kv : sb.optim_state())
    state[kv.first] = {kv.second.s1.defined() ? kv.second.s1.clone() : Tensor(),
                       kv.second.s2.defined() ? kv.second.s2.clone() : Tensor()};
  sc.resume(1, sb.history(), sb.best_val_metric(), sb.best_epoch(), sb.best_state(), state);
  Snapshot end_c;
  sc.on_check = [&](int64_t epoch, bool) {
    if (epoch == 3) end_c = snapshot(c, sc);
  };
  ASSERT_TRUE(sc.train());
  EXPECT_EQ(end_c.w, end_a.w);
  EXPECT_EQ(end_c.s1, end_a.s1);
}
