// Config parsing: defaults, overrides, sweeps, and errors that name the JSON path.
#include <gtest/gtest.h>

#include <cmath>

#include "host/config/config.h"
#include "host/config/sweep.h"
#include "host/random/numpy_random.h"
#include "host/solver/param_groups.h"
#include "models/model_factory.h"

using namespace convlab;
using namespace convlab::config;

namespace {

json minimal() { return json::parse(R"({"model": {"type": "three_layer_convnet"}})"); }

// The message of the convlab::Error thrown by f ("" when none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string parse_error(const json& j) {
  return error_of([&] { parse_run_config(j); });
}

}  // namespace

TEST(Config, DefaultsFollowCs231n) {
  const RunConfig c = parse_run_config(minimal());
  EXPECT_EQ(c.data.num_training, 49000);
  EXPECT_EQ(c.data.num_validation, 1000);
  EXPECT_EQ(c.data.num_test, 1000);
  EXPECT_EQ(c.data.num_train, -1);
  EXPECT_TRUE(c.data.subtract_mean);
  EXPECT_EQ(c.solver.optim.rule, UpdateRule::sgd);
  EXPECT_DOUBLE_EQ(c.solver.optim.lr(), 1e-2);
  EXPECT_DOUBLE_EQ(c.solver.lr_decay, 1.0);
  EXPECT_EQ(c.solver.batch_size, 100);
  EXPECT_EQ(c.solver.num_epochs, 10);
  EXPECT_EQ(c.solver.num_train_samples, 1000);
  EXPECT_EQ(c.solver.num_val_samples, -1);
  EXPECT_EQ(c.solver.print_every, 10);
  EXPECT_TRUE(c.solver.verbose);
  EXPECT_EQ(c.device, "auto");
  EXPECT_EQ(c.resolved["solver"]["num_val_samples"], nullptr);
}

TEST(Config, AdamDefaultLearningRateAndNullSampleCounts) {
  json j = minimal();
  j["solver"] = json::parse(R"({"update_rule": "adam", "num_train_samples": null, "num_val_samples": 500})");
  const RunConfig c = parse_run_config(j);
  EXPECT_EQ(c.solver.optim.rule, UpdateRule::adam);
  EXPECT_DOUBLE_EQ(c.solver.optim.lr(), 1e-3);
  EXPECT_EQ(c.solver.num_train_samples, -1);
  EXPECT_EQ(c.solver.num_val_samples, 500);
}

TEST(Config, UnknownKeySuggestsTheClosestKnownOne) {
  json j = minimal();
  j["solver"] = json::parse(R"({"update_rule": "adam", "optim_config": {"learnig_rate": 1e-3}})");
  EXPECT_EQ(parse_error(j), "solver.optim_config.learnig_rate: unknown key (did you mean learning_rate?)");
  j = minimal();
  j["solver"] = json::parse(R"({"update_rule": "sgd", "optim_config": {"momentum": 0.9}})");
  EXPECT_EQ(parse_error(j), "solver.optim_config.momentum: not used by update_rule \"sgd\" (only by sgd_momentum)");
  j = minimal();
  j["solver"] = json::parse(R"({"num_epoch": 3})");
  EXPECT_EQ(parse_error(j), "solver.num_epoch: unknown key (did you mean num_epochs?)");
  j = minimal();
  j["dat"] = json::object();
  EXPECT_EQ(parse_error(j), "dat: unknown key (did you mean data?)");
}

TEST(Config, WrongTypesAndRangesNameThePathAndTheExpectation) {
  json j = minimal();
  j["solver"] = json::parse(R"({"batch_size": "50"})");
  EXPECT_EQ(parse_error(j), "solver.batch_size: expected an integer in [1, 1048576], got \"50\"");
  j["solver"] = json::parse(R"({"batch_size": 0})");
  EXPECT_EQ(parse_error(j), "solver.batch_size: expected an integer in [1, 1048576], got 0");
  j["solver"] = json::parse(R"({"batch_size": 2.5})");
  EXPECT_NE(parse_error(j).find("solver.batch_size: expected an integer"), std::string::npos);
  j["solver"] = json::parse(R"({"optim_config": {"learning_rate": -1}})");
  EXPECT_NE(parse_error(j).find("solver.optim_config.learning_rate: expected a number in (0, 1000], got -1"),
            std::string::npos);
  j["solver"] = json::parse(R"({"update_rule": "adma"})");
  EXPECT_NE(parse_error(j).find("solver.update_rule: expected one of"), std::string::npos);
  EXPECT_NE(parse_error(j).find("did you mean \"adam\""), std::string::npos);
  j = minimal();
  j["data"] = json::parse(R"({"num_training": 49500, "num_validation": 1000})");
  EXPECT_NE(parse_error(j).find("data.num_validation"), std::string::npos);
  j = minimal();
  j["device"] = "gpu";
  EXPECT_NE(parse_error(j).find("device: expected one of \"auto\", \"cpu\", \"cuda\""), std::string::npos);
  j = minimal();
  j["solver"] = 3;
  EXPECT_EQ(parse_error(j), "solver: expected a JSON object, got 3");
}

TEST(Config, ModelSectionErrorsNameThePath) {
  NumpyRandom rng(0);
  auto model_error = [&](const char* text) { return error_of([&] { build_model(json::parse(text), rng); }); };
  EXPECT_EQ(model_error(R"({"type": "three_layer_convnet", "hiden_dim": 5})"),
            "model.hiden_dim: unknown key (did you mean hidden_dim?)");
  EXPECT_NE(model_error(R"({"type": "convnet"})").find("model.type: expected one of"), std::string::npos);
  EXPECT_NE(model_error(R"({"type": "fc_net", "hidden_dims": [10, 0]})").find("model.hidden_dims[1]"),
            std::string::npos);
  EXPECT_NE(model_error(R"({"type": "fc_net", "normalization": "batch"})").find("model.normalization"),
            std::string::npos);
  EXPECT_NE(model_error(R"({"type": "sequential", "layers": [{"type": "conv", "num_filter": 8}]})")
                .find("model.layers[0].num_filters: missing"),
            std::string::npos);
  EXPECT_NE(model_error(R"({"type": "sequential", "layers": [{"type": "affine", "out_dim": 10}, {"type": "maxpool"}]})")
                .find("model.layers[1].type"),
            std::string::npos);
  EXPECT_NE(model_error(R"({"type": "sequential", "layers": [{"type": "affine", "out_dim": 7}]})")
                .find("model.layers: the last layer must output num_classes = 10"),
            std::string::npos);
  EXPECT_NE(
      model_error(R"({"type": "sequential", "layers": [{"type": "batchnorm"}, {"type": "affine", "out_dim": 10}]})")
          .find("model.layers[0].type: a batchnorm layer needs (D,) input"),
      std::string::npos);
}

TEST(Config, OverridesSetNestedValuesWithJsonOrBareWords) {
  json j = minimal();
  apply_override(j, "solver.num_epochs=2");
  apply_override(j, "solver.update_rule=adam");
  apply_override(j, "solver.optim_config.learning_rate=5e-4");
  apply_override(j, "model.hidden_dim=64");
  apply_override(j, "solver.num_val_samples=null");
  const RunConfig c = parse_run_config(j);
  EXPECT_EQ(c.solver.num_epochs, 2);
  EXPECT_EQ(c.solver.optim.rule, UpdateRule::adam);
  EXPECT_DOUBLE_EQ(c.solver.optim.lr(), 5e-4);
  EXPECT_EQ(c.model.spec["hidden_dim"], 64);
  EXPECT_NE(error_of([&] { apply_override(j, "solver.num_epochs"); }).find("expected KEY=VALUE"), std::string::npos);
  EXPECT_NE(error_of([&] { apply_override(j, "model.type.x=1"); }).find("cannot set a key inside"), std::string::npos);
  apply_override(j, "solver.num_epoch=2");
  EXPECT_EQ(parse_error(j), "solver.num_epoch: unknown key (did you mean num_epochs?)");
}

TEST(Config, SweepExpandsTheCartesianProduct) {
  json j = minimal();
  j["sweep"] = json::parse(R"({"model.weight_scale": {"logspace": [-4, 0, 5]}, "solver.batch_size": [5, 50]})");
  const auto points = expand_sweep(j);
  ASSERT_EQ(points.size(), 10u);
  EXPECT_FALSE(points[0].config.contains("sweep"));
  EXPECT_NEAR(points[0].config["model"]["weight_scale"].get<double>(), 1e-4, 1e-18);
  EXPECT_EQ(points[0].config["solver"]["batch_size"], 5);
  EXPECT_EQ(points[1].config["solver"]["batch_size"], 50);
  EXPECT_NEAR(points[9].config["model"]["weight_scale"].get<double>(), 1.0, 1e-12);
  EXPECT_NEAR(points[2].config["model"]["weight_scale"].get<double>(), 1e-3, 1e-15);
  for (const auto& p : points) parse_run_config(p.config);
  j["sweep"] = json::parse(R"({"model.weight_scale": {"logspace": [-4, 0]}})");
  EXPECT_NE(error_of([&] { expand_sweep(j); }).find("sweep.model.weight_scale.logspace: expected [lo, hi, num]"),
            std::string::npos);
}

TEST(Config, EveryShippedConfigIsValid) {
  const char* src = std::getenv("CONVLAB_SOURCE_DIR");
  if (!src) GTEST_SKIP() << "CONVLAB_SOURCE_DIR not set (ctest sets it)";
  int n = 0;
  for (const char* name :
       {"overfit_small", "three_layer_one_epoch", "bn_deep_fc", "bn_weight_scale_sweep", "bn_batch_size_sweep",
        "ln_batch_size_sweep", "best", "recipe_one_epoch", "airbench94", "airbench_cpu"}) {
    SCOPED_TRACE(name);
    const json j = load_json_file(std::string(src) + "/configs/" + name + ".json");
    std::vector<json> configs;
    if (has_sweep(j)) {
      for (const auto& p : expand_sweep(j)) configs.push_back(p.config);
    } else {
      configs.push_back(j);
    }
    for (const auto& c : configs) {
      const RunConfig rc = parse_run_config(c);
      NumpyRandom rng(rc.solver.seed);
      ModelPtr model;
      ASSERT_NO_THROW(model = build_model(rc.model.spec, rng));
      // The parameter groups match the model's parameters (as the Solver resolves them).
      EXPECT_NO_THROW(resolve_param_groups(rc.solver.param_groups, model->param_info(), 1));
      ++n;
    }
  }
  EXPECT_GT(n, 7);
}
