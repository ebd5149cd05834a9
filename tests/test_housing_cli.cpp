// `convlab train` with the housing configs: the seed's printed numbers, the
// run folder, SGD through the Solver and its history named after MAE, a
// learning-rate x batch-size sweep, and config errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/plot/run_history.h"
#include "host/regression/normal_equations.h"
#include "host/run/train.h"
#include "housing_test_data.h"

using namespace convlab;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class HousingCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("convlab-housing-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // configs/<name> from the source tree, or null.
  static json repo_config(const std::string& name) {
    const char* src = std::getenv("CONVLAB_SOURCE_DIR");
    if (!src) return nullptr;
    std::ifstream f(std::string(src) + "/configs/" + name);
    return f.is_open() ? json::parse(f) : json();
  }
  std::string write(const json& j) {
    const std::string p = (dir_ / "config.json").string();
    std::ofstream(p) << j.dump(2);
    return p;
  }
  // Runs `convlab train` into dir_/run; returns the printed text.
  std::string train(const json& j, TrainOptions opt = {}) {
    opt.out_dir = (dir_ / "run").string();
    std::ostringstream out;
    EXPECT_EQ(train_command(write(j), opt, out), 0) << out.str();
    return out.str();
  }
  std::string error_of(const json& j) {
    TrainOptions opt;
    opt.out_dir = (dir_ / "bad").string();
    std::ostringstream out;
    try {
      train_command(write(j), opt, out);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error; printed: " + out.str();
  }
  static json read_json(const fs::path& p) {
    std::ifstream in(p);
    return json::parse(in);
  }
  static int count_lines(const fs::path& p) {
    std::ifstream f(p);
    int n = 0;
    for (std::string line; std::getline(f, line);) ++n;
    return n;
  }
  // A regression run's history.json names its series after its metric, MAE,
  // and holds no accuracy key; the plots read it and label the axis "mae".
  static void expect_mae_history(const fs::path& run) {
    const json h = read_json(run / "history.json");
    EXPECT_EQ(h["metric"], "mae");
    ASSERT_TRUE(h.contains("train_mae_history")) << h.dump().substr(0, 300);
    ASSERT_TRUE(h.contains("val_mae_history")) << h.dump().substr(0, 300);
    EXPECT_EQ(h["train_mae_history"].size(), h["check_epoch"].size());
    for (const auto& item : h.items()) EXPECT_EQ(item.key().find("_acc"), std::string::npos) << item.key();
    std::ifstream csv(run / "history.csv");
    std::string header;
    std::getline(csv, header);
    EXPECT_EQ(header, "epoch,train_mae,val_mae,mean_loss,epoch_time_s,images_per_s");
    const RunHistory r = read_run_history(run.string());
    EXPECT_EQ(r.metric_name, "mae");
    EXPECT_EQ(r.metric_label, "mae");
    EXPECT_EQ(r.val_metric, h["val_mae_history"].get<std::vector<double>>());
  }
  fs::path dir_;
};

#define LOAD_CONFIG(var, name)                                                          \
  CONVLAB_REQUIRE_HOUSING(housing_file);                                                \
  json var = repo_config(name);                                                         \
  if (var.is_null()) GTEST_SKIP() << "configs/" name " not found (CONVLAB_SOURCE_DIR)"; \
  var["data"]["path"] = housing_file

}  // namespace

TEST_F(HousingCli, ClosedFormReproducesTheSeed) {
  LOAD_CONFIG(cfg, "housing_closed_form.json");
  const std::string printed = train(cfg);
  EXPECT_NE(printed.find("Training error: 3.21553562515"), std::string::npos) << printed;
  EXPECT_NE(printed.find("Test error: 3.08517173776"), std::string::npos) << printed;
  const json s = read_json(dir_ / "run" / "summary.json");
  EXPECT_EQ(s["model_type"], "linear_regression");
  EXPECT_NEAR(s["train"].get<double>(), 3.2155356251530534, 5e-8);  // the seed's printed errors
  EXPECT_NEAR(s["test"].get<double>(), 3.0851717377669567, 5e-8);
  EXPECT_NEAR(s["val"].get<double>(), 3.944008592316, 1e-9);  // numpy
  EXPECT_NEAR(s["splits"]["test"]["mse"].get<double>(), 20.402163144298, 1e-8);
  EXPECT_EQ(s["splits"]["val"]["n"], 67);
  EXPECT_EQ(s["weights"].size(), 13u);
  EXPECT_TRUE(fs::exists(dir_ / "run" / "config.json"));
}

TEST_F(HousingCli, RidgeReproducesTheSeedAndCudaFallsBackOrAgrees) {
  LOAD_CONFIG(cfg, "housing_ridge.json");
  TrainOptions opt;
  opt.device = "auto";
  train(cfg, opt);
  const json s = read_json(dir_ / "run" / "summary.json");
  EXPECT_NEAR(s["train"].get<double>(), 3.215534366263786, 1e-6);
  EXPECT_NEAR(s["test"].get<double>(), 3.0851716338615383, 1e-6);
  EXPECT_NEAR(s["train"].get<double>(), 3.215534366263786, 1e-10);
  EXPECT_NEAR(s["test"].get<double>(), 3.0851716338615383, 1e-10);
  EXPECT_EQ(s["device"], normal_equations_on_gpu_available() ? "cuda" : "cpu");
}

TEST_F(HousingCli, SgdThroughTheSolverReachesTheClosedFormValidationError) {
  LOAD_CONFIG(cfg, "housing_sgd.json");
  const std::string printed = train(cfg);
  const json s = read_json(dir_ / "run" / "summary.json");
  const double closed_form_val = 3.944008592316, closed_form_test = 3.0851717377669567;
  // The kept (best validation) parameters reach the closed form's
  // validation error; the last epoch's model has converged to within 2% of it.
  EXPECT_LE(s["val"].get<double>(), 1.02 * closed_form_val) << printed;
  EXPECT_NEAR(s["final_val"].get<double>(), closed_form_val, 0.02 * closed_form_val) << printed;
  EXPECT_LE(s["test"].get<double>(), 1.05 * closed_form_test) << printed;
  EXPECT_EQ(s["val"].get<double>(), s["splits"]["val"]["mae"].get<double>());
  // The Solver's validation curve and loss history.
  const int epochs = cfg["solver"]["num_epochs"].get<int>();
  EXPECT_EQ(s["epochs"], epochs);
  EXPECT_EQ(s["iterations"], epochs * (272 / cfg["solver"]["batch_size"].get<int>()));
  const json h = read_json(dir_ / "run" / "history.json");
  EXPECT_EQ(h["val_mae_history"].size(), static_cast<std::size_t>(epochs + 1)) << h.dump().substr(0, 300);
  expect_mae_history(dir_ / "run");
  EXPECT_TRUE(fs::exists(dir_ / "run" / "history.csv"));
  EXPECT_NE(printed.find("val_mae: "), std::string::npos);
}

// The same run on a small made-up file, so that the history's keys are
// checked without the real data too.
TEST_F(HousingCli, SgdHistoryIsNamedAfterItsMetric) {
  std::ofstream f(dir_ / "tiny_housing");
  for (int i = 0; i < 60; ++i) {
    const double x1 = (i % 7) / 7.0, x2 = (i % 5) / 5.0;
    f << 10 + 3 * x1 - 2 * x2 + 0.01 * (i % 3) << " 1:" << x1 << " 2:" << x2 << "\n";
  }
  f.close();
  const json cfg = {
      {"model", {{"type", "linear_regression_sgd"}}},
      {"data",
       {{"dataset", "libsvm"},
        {"path", (dir_ / "tiny_housing").string()},
        {"num_features", 2},
        {"test_size", 0.25},
        {"val_split", 0.25}}},
      {"solver",
       {{"optim_config", {{"learning_rate", 0.05}}}, {"batch_size", 11}, {"num_epochs", 3}, {"verbose", false}}}};
  train(cfg);
  const json h = read_json(dir_ / "run" / "history.json");
  EXPECT_EQ(h["val_mae_history"].size(), 4u) << h.dump();
  expect_mae_history(dir_ / "run");
}

TEST_F(HousingCli, SweepWritesTableAndPerRunCurves) {
  LOAD_CONFIG(cfg, "housing_sgd_sweep.json");
  cfg["sweep"] = {{"solver.optim_config.learning_rate", {0.01, 0.03}}, {"solver.batch_size", {16, 64}}};
  cfg["solver"]["num_epochs"] = 20;
  train(cfg);
  const fs::path run = dir_ / "run";
  EXPECT_EQ(count_lines(run / "sweep.csv"), 1 + 4);
  const json rows = read_json(run / "sweep.json");
  ASSERT_EQ(rows.size(), 4u);
  double best = 1e300;
  for (const auto& row : rows) {
    const fs::path sub = run / row["run"].get<std::string>();
    EXPECT_GT(count_lines(sub / "history.csv"), 20) << sub;  // a header, then iterations / epochs
    EXPECT_EQ(row["summary"]["status"], "ok");
    best = std::min(best, row["summary"]["best_val"].get<double>());
  }
  EXPECT_LT(best, 4.5);  // batch 16, learning rate 0.03 gets near the closed form in 20 epochs
}

TEST_F(HousingCli, BadConfigsNameTheKey) {
  const json data = {{"dataset", "libsvm"}, {"path", "does/not/exist"}};
  struct Case {
    json config;
    std::string expect;
  } cases[] = {
      {{{"model", {{"type", "linear_regression"}, {"alpah", 1}}}, {"data", data}}, "model.alpah"},
      {{{"model", {{"type", "linear_regression"}, {"alpha", 1}}}, {"data", data}}, "model.alpha"},
      {{{"model", {{"type", "ridge_regression"}, {"alpha", -1}}}, {"data", data}}, "model.alpha"},
      {{{"model", {{"type", "linear_regression"}}}}, "data.dataset: model type linear_regression trains on \"libsvm\""},
      {{{"model", {{"type", "linear_regression"}}}, {"data", {{"dataset", "libsvm"}, {"test_size", 1.5}}}},
       "data.test_size"},
      {{{"model", {{"type", "linear_regression"}}}, {"data", {{"dataset", "libsvm"}, {"split", 1}}}}, "data.split"},
      {{{"model", {{"type", "linear_regression"}}}, {"data", data}}, "libsvm: cannot open 'does/not/exist'"},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(c.config);
    EXPECT_NE(e.find(c.expect), std::string::npos) << c.config.dump() << " gave '" << e << "'";
  }
  // Without data.path the file is $CONVLAB_DATA_DIR/housing/housing_scale.
  const char* old = std::getenv("CONVLAB_DATA_DIR");
  const std::string saved = old ? old : "";
  ::unsetenv("CONVLAB_DATA_DIR");
  const json no_path = {{"model", {{"type", "linear_regression"}}}, {"data", {{"dataset", "libsvm"}}}};
  EXPECT_NE(error_of(no_path).find("data.path is not set and neither is CONVLAB_DATA_DIR"), std::string::npos);
  ::setenv("CONVLAB_DATA_DIR", "no_such_dir", 1);
  EXPECT_NE(error_of(no_path).find("cannot open 'no_such_dir/housing/housing_scale'"), std::string::npos);
  if (old)
    ::setenv("CONVLAB_DATA_DIR", saved.c_str(), 1);
  else
    ::unsetenv("CONVLAB_DATA_DIR");
}
