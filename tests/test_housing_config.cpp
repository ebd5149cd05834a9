// Regression configs: validation errors, and run_regression's printed and
// written results (metrics.json, history and sweep files).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "host/regression/normal_equations.h"
#include "host/regression/run_regression.h"
#include "housing_test_data.h"

using namespace convlab;
namespace fs = std::filesystem;

namespace {

std::string error_of(const nlohmann::json& config) {
  std::ostringstream log;
  try {
    run_regression_experiment(config, log);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

nlohmann::json load_config(const std::string& name) {
  const char* src = std::getenv("CONVLAB_SOURCE_DIR");
  if (!src) return nullptr;
  std::ifstream f(std::string(src) + "/configs/" + name);
  return f.is_open() ? nlohmann::json::parse(f) : nlohmann::json();
}

int count_lines(const fs::path& p) {
  std::ifstream f(p);
  int n = 0;
  for (std::string line; std::getline(f, line);) ++n;
  return n;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("convlab_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

}  // namespace

TEST(HousingConfig, BadConfigsNameTheKey) {
  const nlohmann::json data = {{"path", "does/not/exist"}};
  struct Case {
    nlohmann::json config;
    std::string expect;
  } cases[] = {
      {{{"model", {{"type", "svm"}}}}, "model.type must be linear_regression, ridge_regression or linear_regression_sgd"},
      {{{"model", {{"type", "linear_regression"}, {"alpah", 1}}}}, "unknown key model.alpah"},
      {{{"model", {{"type", "linear_regression"}, {"alpha", 1}}}}, "model.alpha applies to ridge_regression only"},
      {{{"model", {{"type", "ridge_regression"}, {"alpha", "big"}}}, {"data", data}}, "model.alpha must be a number"},
      {{{"model", {{"type", "linear_regression"}}}, {"data", {{"path", "x"}, {"test_size", 1.5}}}},
       "data.test_size must be in (0, 1)"},
      {{{"model", {{"type", "linear_regression"}}}, {"data", {{"path", 3}}}}, "data.path must be a string"},
      {{{"model", {{"type", "linear_regression"}}}, {"data", data}}, "libsvm: cannot open 'does/not/exist'"},
      {{{"model", {{"type", "linear_regression_sgd"}}}, {"data", data}, {"solver", {{"batch_size", 0}}}},
       "solver.batch_size must be >= 1"},
      {{{"model", {{"type", "linear_regression_sgd"}}}, {"data", data}, {"solver", {{"update_rule", "sdg"}}}},
       "sdg"},
      {{{"model", {{"type", "linear_regression_sgd"}}}, {"data", data}, {"sweep", {{"learning_rate", {}}}}},
       "sweep.learning_rate must be a non-empty array"},
      {{{"model", {{"type", "linear_regression"}}}, {"data", data}, {"solver", nlohmann::json::object()}},
       "solver and sweep apply to linear_regression_sgd only"},
      {{{"model", {{"type", "linear_regression"}, {"weight_scale", 0.1}}}, {"data", data}},
       "model.weight_scale applies to linear_regression_sgd only"},
      {{{"model", {{"type", "linear_regression_sgd"}}}, {"data", data}, {"solver", {{"lr_decay", -1}}}},
       "solver.lr_decay must be > 0"},
      {{{"model", {{"type", "linear_regression"}}}, {"data", data}, {"device", "tpu"}},
       "device must be \"cpu\", \"cuda\" or \"auto\", got \"tpu\""},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(c.config);
    EXPECT_NE(e.find(c.expect), std::string::npos) << c.config.dump() << " gave '" << e << "'";
  }
}

TEST(HousingConfig, DataPathFallsBackToTheDataDirOrSaysWhatIsMissing) {
  const char* old = std::getenv("CONVLAB_DATA_DIR");
  const std::string saved = old ? old : "";
  ::unsetenv("CONVLAB_DATA_DIR");
  const std::string e = error_of({{"model", {{"type", "linear_regression"}}}});
  EXPECT_NE(e.find("data.path is not set and neither is CONVLAB_DATA_DIR"), std::string::npos) << e;
  ::setenv("CONVLAB_DATA_DIR", "no_such_dir", 1);
  const std::string e2 = error_of({{"model", {{"type", "linear_regression"}}}});
  EXPECT_NE(e2.find("cannot open 'no_such_dir/housing/housing_scale'"), std::string::npos) << e2;
  if (old) ::setenv("CONVLAB_DATA_DIR", saved.c_str(), 1); else ::unsetenv("CONVLAB_DATA_DIR");
}

TEST(HousingConfig, ClosedFormAndRidgeConfigsReproduceTheSeed) {
  CONVLAB_REQUIRE_HOUSING(path);
  nlohmann::json cf = load_config("housing_closed_form.json"), ridge = load_config("housing_ridge.json");
  if (cf.is_null() || ridge.is_null()) GTEST_SKIP() << "configs not found (CONVLAB_SOURCE_DIR unset)";
  const fs::path dir = fresh_dir("closed_form");
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_regression(cf, dir.string()), 0);
  const std::string printed = testing::internal::GetCapturedStdout();
  EXPECT_NE(printed.find("Training error: 3.21553562515"), std::string::npos) << printed;
  EXPECT_NE(printed.find("Test error: 3.08517173776"), std::string::npos) << printed;
  std::ifstream mf(dir / "metrics.json");
  const nlohmann::json m = nlohmann::json::parse(mf);
  EXPECT_EQ(m["model"], "linear_regression");
  EXPECT_NEAR(m["train"]["mae"].get<double>(), 3.2155356251530534, 5e-8);
  EXPECT_NEAR(m["test"]["mae"].get<double>(), 3.0851717377669567, 5e-8);
  EXPECT_NEAR(m["test"]["mse"].get<double>(), 20.402163144298, 1e-8);
  EXPECT_EQ(m["val"]["n"], 67);
  EXPECT_EQ(m["weights"].size(), 13u);
  fs::remove_all(dir);

  std::ostringstream log;
  const RegressionResult r = run_regression_experiment(ridge, log);
  EXPECT_NEAR(r.train.mae, 3.215534366263786, 1e-6);
  EXPECT_NEAR(r.test.mae, 3.0851716338615383, 1e-6);

  // device cuda: cuBLAS forms the normal equations when a GPU is present,
  // else the CPU does and says so; the numbers agree either way.
  cf["device"] = "cuda";
  std::ostringstream log2;
  const RegressionResult g = run_regression_experiment(cf, log2);
  if (normal_equations_on_gpu_available())
    EXPECT_NE(log2.str().find("normal equations on the GPU (cuBLAS)"), std::string::npos) << log2.str();
  else
    EXPECT_NE(log2.str().find("device cuda: no usable GPU, the CPU computes instead"), std::string::npos)
        << log2.str();
  EXPECT_NEAR(g.train.mae, 3.2155356251530534, 5e-8);
  EXPECT_NEAR(g.test.mae, 3.0851717377669567, 5e-8);
}

TEST(HousingConfig, SweepWritesTableAndCurves) {
  CONVLAB_REQUIRE_HOUSING(path);
  nlohmann::json config = load_config("housing_sgd_sweep.json");
  if (config.is_null()) GTEST_SKIP() << "configs not found (CONVLAB_SOURCE_DIR unset)";
  config["sweep"] = {{"learning_rate", {0.01, 100.0}}, {"batch_size", {16, 64}}};
  config["solver"]["num_epochs"] = 30;
  const fs::path dir = fresh_dir("sweep");
  testing::internal::CaptureStdout();
  run_regression(config, dir.string());
  testing::internal::GetCapturedStdout();
  EXPECT_EQ(count_lines(dir / "sweep_results.csv"), 1 + 4);
  std::ifstream jf(dir / "sweep_results.json");
  const nlohmann::json rows = nlohmann::json::parse(jf);
  ASSERT_EQ(rows.size(), 4u);
  double best_val = 1e300;
  int64_t best_batch = 0;
  for (const auto& row : rows) {
    const bool big = row["learning_rate"].get<double>() > 1;
    EXPECT_EQ(row["status"], big ? "diverged" : "ok") << row.dump();
    if (big) continue;
    EXPECT_EQ(count_lines(dir / row["curve"].get<std::string>()), 1 + 30);
    if (row["val"]["mae"].get<double>() < best_val) {
      best_val = row["val"]["mae"].get<double>();
      best_batch = row["batch_size"].get<int64_t>();
    }
  }
  // history.csv and loss_history.csv are the best run's; metrics.json too.
  EXPECT_EQ(count_lines(dir / "history.csv"), 1 + 30);
  EXPECT_EQ(count_lines(dir / "loss_history.csv"), 1 + 30 * ((272 + best_batch - 1) / best_batch));
  std::ifstream mf(dir / "metrics.json");
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(mf)["val"]["mae"].get<double>(), best_val);
  fs::remove_all(dir);
}
