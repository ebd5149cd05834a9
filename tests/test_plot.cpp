// Training and benchmark charts: history reading, figure contents, gnuplot
// rendering (skipped without gnuplot) and the message when gnuplot is missing.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "host/error.h"
#include "host/plot/bench_chart.h"
#include "host/plot/gnuplot.h"
#include "host/plot/training_plots.h"
#include "picture_test_util.h"
#include "test_util.h"

using namespace convlab;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

#define REQUIRE_GNUPLOT()                                \
  do {                                                   \
    std::string why_;                                    \
    if (!gnuplot_available(&why_)) GTEST_SKIP() << why_; \
  } while (0)

// A plausible history: loss decays from 2.3 with noise, accuracies rise.
// With a `metric` other than "acc" the same values are that metric's.
json history(int iters, int epochs, double speed, double final_val, const std::string& metric = "acc") {
  json h;
  std::vector<double> loss, train, val;
  for (int i = 0; i < iters; ++i)
    loss.push_back(2.3 * std::exp(-speed * i / iters) + 0.1 + 0.15 * std::sin(i * 1.7) * std::exp(-1.0 * i / iters));
  for (int e = 0; e <= epochs; ++e) {
    train.push_back(0.1 + (0.95 - 0.1) * (1 - std::exp(-speed * e / epochs)));
    val.push_back(0.1 + (final_val - 0.1) * (1 - std::exp(-2.0 * e / epochs)));
  }
  h["loss_history"] = loss;
  h["train_" + metric + "_history"] = train;
  h["val_" + metric + "_history"] = val;
  if (metric != "acc") h["metric"] = metric;
  return h;
}

fs::path write_run(const fs::path& root, const std::string& name, const json& h) {
  const fs::path dir = root / name;
  fs::create_directories(dir);
  std::ofstream(dir / "history.json") << h.dump();
  return dir;
}

// Each drawn chart: a PNG of the figure's size with a white corner and real content.
void expect_chart(const std::string& path, int width, int height, const std::string& keep_as) {
  ASSERT_TRUE(fs::exists(path)) << path;
  EXPECT_TRUE(test::has_png_signature(path));
  const test::DecodedPng png = test::decode_png(path);
  ASSERT_EQ(png.width, width) << path;
  ASSERT_EQ(png.height, height) << path;
  EXPECT_GT(png.variance(), 10.0) << path << " looks blank";
  for (int c = 0; c < std::min(png.channels, 3); ++c) EXPECT_EQ(png.at(1, 1, c), 255) << "corner of " << path;
  test::keep_picture(path, keep_as);
}

// Sets CONVLAB_GNUPLOT for the lifetime of the object.
struct GnuplotOverride {
  std::string old;
  bool had;
  explicit GnuplotOverride(const char* value) {
    const char* o = std::getenv("CONVLAB_GNUPLOT");
    had = o != nullptr;
    if (had) old = o;
    setenv("CONVLAB_GNUPLOT", value, 1);
  }
  ~GnuplotOverride() {
    if (had)
      setenv("CONVLAB_GNUPLOT", old.c_str(), 1);
    else
      unsetenv("CONVLAB_GNUPLOT");
  }
};

}  // namespace

TEST(RunHistory, ReadsHistoryAndSettings) {
  const auto root = test::fresh_temp_dir("plot_history");
  json h = history(20, 4, 3.0, 0.5);
  h["config"] = {{"model", {{"weight_scale", 0.02}, {"normalization", "batchnorm"}}}, {"solver", {{"batch_size", 50}}}};
  const fs::path dir = write_run(root, "bn_run", h);
  const RunHistory r = read_run_history(dir.string());
  EXPECT_EQ(r.loss_history.size(), 20u);
  EXPECT_EQ(r.train_metric.size(), 5u);
  EXPECT_DOUBLE_EQ(r.val_metric[0], 0.1);
  EXPECT_EQ(r.label, "bn_run");
  EXPECT_DOUBLE_EQ(r.weight_scale.value(), 0.02);
  EXPECT_EQ(r.batch_size.value(), 50);
  EXPECT_EQ(r.normalization, "batchnorm");
  EXPECT_EQ(r.metric_name, "acc");  // no "metric" key: accuracy
  EXPECT_EQ(r.metric_label, "accuracy");
  EXPECT_TRUE(r.check_epoch.empty());

  // check_epoch gives the accuracy points' x; metric names the y axis.
  json checked = history(8, 4, 2.0, 0.4, "mae");
  checked["check_epoch"] = {0, 1, 2, 3, 4};
  const RunHistory rc = read_run_history(write_run(root, "checked", checked).string());
  const Figure fc = training_figure(rc);
  EXPECT_EQ(fc.panels[1].series[0].x, (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(fc.panels[1].ylabel, "mae");

  // Settings from config.json beside it; null normalization is "none"; a top-level label wins.
  json plain = history(5, 1, 1.0, 0.3);
  const fs::path d2 = write_run(root, "plain", plain);
  std::ofstream(d2 / "config.json")
      << R"({"name": "baseline", "model": {"normalization": null, "weight_scale": 1e-3}})";
  const RunHistory r2 = read_run_history((d2 / "history.json").string());
  EXPECT_EQ(r2.label, "baseline");
  EXPECT_EQ(r2.normalization, "none");
  EXPECT_DOUBLE_EQ(r2.weight_scale.value(), 1e-3);
  EXPECT_FALSE(r2.batch_size.has_value());
  fs::remove_all(root);
}

TEST(RunHistory, ReadsASweepFolderAsItsRuns) {
  const auto root = test::fresh_temp_dir("plot_sweep_folder");
  const fs::path sweep = root / "sweep";
  json rows = json::array();
  for (int i = 0; i < 3; ++i) {
    const std::string run = "run00" + std::to_string(i + 1);
    rows.push_back({{"run", run}, {"label", "model.normalization=" + std::string(i == 1 ? "none" : "batchnorm")}});
    if (i == 2) continue;  // a failed run leaves no folder
    json h = history(10, 2, 1.0 + i, 0.3);
    write_run(sweep, run, h);
    std::ofstream(sweep / run / "config.json")
        << json{{"model", {{"normalization", i == 1 ? "none" : "batchnorm"}, {"weight_scale", 0.02}}},
                {"solver", {{"batch_size", 50}}},
                {"sweep", {{"model.normalization", {"batchnorm", "none"}}}}}
               .dump();
  }
  std::ofstream(sweep / "sweep.json") << rows.dump();
  const fs::path single = write_run(root, "single", history(4, 1, 1.0, 0.2));
  const std::vector<RunHistory> runs = read_runs({sweep.string(), single.string()});
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].label, "model.normalization=batchnorm");
  EXPECT_EQ(runs[1].normalization, "none");
  EXPECT_EQ(runs[1].batch_size.value(), 50);
  EXPECT_EQ(runs[2].label, "single");
  std::ofstream(sweep / "sweep.json") << json::array({{{"run", "run003"}}}).dump();
  EXPECT_THROW(read_runs({sweep.string()}), Error);
  fs::remove_all(root);
}

TEST(RunHistory, ClearErrors) {
  const auto root = test::fresh_temp_dir("plot_history_errors");
  EXPECT_THROW(read_run_history((root / "nowhere").string()), Error);
  write_run(root, "noloss", json{{"train_acc_history", {0.1}}});
  try {
    read_run_history((root / "noloss").string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no \"loss_history\""), std::string::npos) << e.what();
  }
  write_run(root, "strings", json{{"loss_history", {"a"}}});
  EXPECT_THROW(read_run_history((root / "strings").string()), Error);
  fs::create_directories(root / "broken");
  std::ofstream(root / "broken" / "history.json") << "{\"loss_history\": [1, 2";
  EXPECT_THROW(read_run_history((root / "broken").string()), Error);
  write_run(root, "badchecks",
            json{{"loss_history", {1.0}},
                 {"train_acc_history", {0.1, 0.2}},
                 {"val_acc_history", {0.1, 0.2}},
                 {"check_epoch", {0}}});
  EXPECT_THROW(read_run_history((root / "badchecks").string()), Error);
  json badscale = history(1, 1, 1.0, 0.1);
  badscale["weight_scale"] = "big";
  write_run(root, "badscale", badscale);
  EXPECT_THROW(read_run_history((root / "badscale").string()), Error);
  fs::remove_all(root);
}

// Both kinds of history.json: a classifier's (train_acc_history, ...) and a
// regression run's (metric "mae": train_mae_history, ...).
TEST(RunHistory, ReadsTheSeriesNamedAfterTheMetric) {
  const auto root = test::fresh_temp_dir("plot_history_metric");
  json acc = history(6, 2, 1.0, 0.4);
  acc["metric"] = "acc";
  const RunHistory ra = read_run_history(write_run(root, "classifier", acc).string());
  EXPECT_EQ(ra.metric_name, "acc");
  EXPECT_EQ(ra.metric_label, "accuracy");
  EXPECT_EQ(ra.val_metric, acc["val_acc_history"].get<std::vector<double>>());
  EXPECT_EQ(training_figure(ra).panels[1].ylabel, "accuracy");

  const json mae = history(6, 2, 1.0, 0.4, "mae");
  ASSERT_TRUE(mae.contains("train_mae_history"));
  const RunHistory rm = read_run_history(write_run(root, "regression", mae).string());
  EXPECT_EQ(rm.metric_name, "mae");
  EXPECT_EQ(rm.train_metric, mae["train_mae_history"].get<std::vector<double>>());
  EXPECT_EQ(rm.val_metric, mae["val_mae_history"].get<std::vector<double>>());
  EXPECT_EQ(training_figure(rm).panels[1].series[1].y, rm.val_metric);
  fs::remove_all(root);
}

// A file whose metric series are missing or uneven is refused with the file,
// the key and what was expected (series under another metric's name:
// tests/test_untrusted_input.cpp).
TEST(RunHistory, RejectsMissingOrMismatchedMetricKeys) {
  const auto root = test::fresh_temp_dir("plot_history_metric_errors");
  auto error_of = [&](const std::string& name, const json& h) -> std::string {
    const fs::path dir = write_run(root, name, h);
    try {
      read_run_history(dir.string());
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  auto expect_error = [&](const std::string& name, const json& h, const std::vector<std::string>& parts) {
    const std::string e = error_of(name, h);
    for (const std::string& p : parts) EXPECT_NE(e.find(p), std::string::npos) << name << ": " << e;
  };
  const std::string file = "history.json";
  json no_val = history(4, 1, 1.0, 0.3);
  no_val.erase("val_acc_history");
  expect_error("no_val", no_val, {file, "has no \"val_acc_history\" array", "\"acc\" per check on the validation set"});

  json no_train = history(4, 1, 1.0, 0.3, "mae");
  no_train.erase("train_mae_history");
  expect_error("no_train", no_train, {file, "has no \"train_mae_history\" array", "\"mae\" per check"});

  json uneven = history(4, 2, 1.0, 0.3, "mae");
  uneven["val_mae_history"].erase(0);
  expect_error("uneven", uneven, {file, "\"train_mae_history\" has 3 values but \"val_mae_history\" has 2"});

  json bad_metric = history(4, 1, 1.0, 0.3);
  bad_metric["metric"] = 7;
  expect_error("bad_metric", bad_metric, {file, "\"metric\" must name a metric", "got 7"});
  fs::remove_all(root);
}

TEST(TrainingPlots, FiguresHoldTheNotebooksSeries) {
  RunHistory a, b;
  a.label = "baseline";
  a.loss_history = std::vector<double>(150, 2.0);
  for (int i = 0; i < 100; ++i) a.loss_history[50 + i] = 1.0 + i % 2;  // mean of the last 100 = 1.5
  a.train_metric = {0.1, 0.3, 0.2};
  a.val_metric = {0.1, 0.25, 0.2};
  a.weight_scale = 1e-2;
  b = a;
  b.label = "bn";
  b.normalization = "batchnorm";
  b.train_metric = {0.1, 0.5, 0.7};
  b.weight_scale = 1e-3;
  RunHistory c = a;
  c.weight_scale = 1e-4;

  const Figure t = training_figure(a);
  ASSERT_EQ(t.panels.size(), 2u);
  EXPECT_EQ(t.panels[0].series[0].marker, Marker::dots);
  EXPECT_EQ(t.panels[0].series[0].x.back(), 149.0);
  EXPECT_EQ(t.panels[1].series[1].label, "val");
  EXPECT_EQ(t.panels[1].series[1].y, a.val_metric);

  const Figure ws = weight_scale_figure({a, b, c});
  ASSERT_EQ(ws.panels.size(), 3u);
  EXPECT_TRUE(ws.panels[0].log_x);
  ASSERT_EQ(ws.panels[0].series.size(), 2u);
  EXPECT_EQ(ws.panels[0].series[0].label, "baseline");
  EXPECT_EQ(ws.panels[0].series[0].x, (std::vector<double>{1e-4, 1e-2}));  // sorted by scale
  EXPECT_DOUBLE_EQ(ws.panels[1].series[1].y[0], 0.7);                      // best train acc of bn
  EXPECT_DOUBLE_EQ(ws.panels[2].series[0].y[0], 1.5);                      // mean of the last 100 losses
  EXPECT_EQ(ws.panels[2].y_range->second, 3.5);

  RunHistory noscale = a;
  noscale.weight_scale.reset();
  EXPECT_THROW(weight_scale_figure({a, noscale}), Error);

  b.batch_size = 50;
  RunHistory b5 = b;
  b5.batch_size = 5;
  a.batch_size = 5;
  const Figure bs = batch_size_figure({a, b, b5}, "batchnorm");
  ASSERT_EQ(bs.panels.size(), 2u);
  ASSERT_EQ(bs.panels[0].series.size(), 3u);
  EXPECT_EQ(bs.panels[0].series[0].label, "batchnorm batch 5");
  EXPECT_EQ(bs.panels[0].series[2].label, "baseline batch 5");
  EXPECT_EQ(bs.panels[0].series[2].marker, Marker::lines_triangles);
  EXPECT_NE(bs.panels[0].title.find("Batch Normalization"), std::string::npos);
  EXPECT_THROW(batch_size_figure({a}, "layernorm"), Error);
  // The batchnorm and layernorm sweeps each bring the same baseline runs:
  // given together, every baseline batch size is drawn once.
  RunHistory ln = b;
  ln.normalization = "layernorm";
  RunHistory a50 = a;
  a50.batch_size = 50;
  const Figure both = batch_size_figure({a50, a, b, b5, a, a50, ln}, "batchnorm");
  ASSERT_EQ(both.panels[0].series.size(), 4u);
  EXPECT_EQ(both.panels[0].series[2].label, "baseline batch 5");
  EXPECT_EQ(both.panels[0].series[3].label, "baseline batch 50");

  const std::string script = figure_script(ws, "out.png");
  EXPECT_NE(script.find("set logscale x"), std::string::npos);
  EXPECT_NE(script.find("set yrange [1:3.5]"), std::string::npos);
  EXPECT_NE(script.find("0.0001 0.2"), std::string::npos);  // c's best val accuracy at its scale
}

TEST(TrainingPlots, MissingGnuplotGivesAClearMessage) {
  const auto root = test::fresh_temp_dir("plot_nognuplot");
  const fs::path dir = write_run(root, "run", history(10, 2, 2.0, 0.4));
  GnuplotOverride no("/nonexistent/gnuplot");
  std::string why;
  EXPECT_FALSE(gnuplot_available(&why));
  EXPECT_NE(why.find("gnuplot not found"), std::string::npos) << why;
  try {
    plot_training(read_run_history(dir.string()), (dir / "training.png").string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gnuplot not found"), std::string::npos) << e.what();
  }
  std::ostringstream log;
  EXPECT_FALSE(plot_training_or_warn(dir.string(), log));  // never throws: a training run goes on
  EXPECT_NE(log.str().find("gnuplot not found"), std::string::npos) << log.str();
  EXPECT_FALSE(fs::exists(dir / "training.png"));
  fs::remove_all(root);
}

TEST(TrainingPlots, DrawsTrainingPng) {
  REQUIRE_GNUPLOT();
  const auto root = test::fresh_temp_dir("plot_training");
  // The overfitting run of the notebook: 30 iterations, 15 epochs, train -> 1.0, val stays low.
  const fs::path dir = write_run(root, "overfit", history(30, 15, 5.0, 0.22));
  std::ostringstream log;
  ASSERT_TRUE(plot_training_or_warn(dir.string(), log)) << log.str();
  expect_chart((dir / "training.png").string(), 1000, 800, "training.png");
  fs::remove_all(root);
}

TEST(TrainingPlots, DrawsTheBatchnormNotebooksComparisons) {
  REQUIRE_GNUPLOT();
  const auto root = test::fresh_temp_dir("plot_sweeps");
  std::vector<RunHistory> runs;
  // Weight-scale sweep: 6 scales from 1e-4 to 1, baseline and batchnorm.
  for (int i = 0; i < 6; ++i) {
    const double ws = std::pow(10.0, -4.0 + 0.8 * i);
    for (const char* norm : {"none", "batchnorm"}) {
      const bool bn = std::string(norm) == "batchnorm";
      const double quality = bn ? 0.9 : std::exp(-std::pow(std::log10(ws) + 1.5, 2));  // baseline needs a good scale
      json h = history(200, 10, 1.0 + 3 * quality, 0.12 + 0.2 * quality);
      for (auto& l : h["loss_history"]) l = l.get<double>() + 1.3 - quality;  // final losses between 1 and 2.5
      h["config"] = {{"weight_scale", ws}, {"normalization", norm}, {"batch_size", 50}};
      runs.push_back(read_run_history(write_run(root, std::string(norm) + "_ws" + std::to_string(i), h).string()));
    }
  }
  const std::vector<std::string> files = plot_runs(runs, root.string());
  ASSERT_EQ(files.size(), 1u);  // weight-scale sweep; 12 runs are too many to compare; one batch size only
  EXPECT_FALSE(fs::exists(root / "comparison.png"));
  expect_chart((root / "weight_scale_sweep.png").string(), 1100, 1100, "weight_scale_sweep.png");

  // Baseline vs batchnorm at one scale, as the notebook's first comparison.
  const fs::path two = root / "two";
  fs::create_directories(two);
  runs[6].label = "baseline";
  runs[7].label = "batchnorm";
  ASSERT_EQ(plot_runs({runs[6], runs[7]}, two.string()).size(), 1u);
  expect_chart((two / "comparison.png").string(), 1100, 1100, "comparison.png");

  // Batch-size sweep: baseline at 5, layernorm at 5, 10, 50.
  std::vector<RunHistory> bs;
  for (int size : {5, 10, 50}) {
    json h = history(200, 10, 1.0 + size / 25.0, 0.2 + size / 500.0);
    h["normalization"] = "layernorm";
    h["batch_size"] = size;
    bs.push_back(read_run_history(write_run(root, "ln" + std::to_string(size), h).string()));
  }
  json base = history(200, 10, 1.5, 0.25);
  base["batch_size"] = 5;
  bs.push_back(read_run_history(write_run(root, "base5", base).string()));
  const fs::path out = root / "bs";
  fs::create_directories(out);
  const std::vector<std::string> files2 = plot_runs(bs, out.string());
  ASSERT_EQ(files2.size(), 2u);
  expect_chart((out / "batch_size_layernorm.png").string(), 1100, 800, "batch_size_layernorm.png");
  fs::remove_all(root);
}

TEST(BenchChart, ReadsTheSchemaAndComputesRatios) {
  const auto root = test::fresh_temp_dir("plot_bench");
  const std::string path = (root / "bench.json").string();
  std::ofstream(path) << R"({"device": "Test GPU", "rows": [
    {"op": "conv_forward", "variant": "naive", "shape": "N=50 C=3 H=32", "median_ms": 10.0},
    {"op": "conv_forward", "variant": "gemm", "shape": "N=50 C=3 H=32", "median_ms": 2.0},
    {"op": "conv_forward", "variant": "cudnn", "shape": "N=50 C=3 H=32", "median_ms": 0.5},
    {"op": "max_pool_forward", "variant": "naive", "shape": "N=50 C=32", "median_ms": 1.0},
    {"op": "max_pool_forward", "variant": "tiled", "shape": "N=50 C=32", "median_ms": 0.25, "baseline": "naive"}]})";
  const BenchResults b = read_bench_json(path);
  ASSERT_EQ(b.rows.size(), 5u);
  EXPECT_EQ(b.device, "Test GPU");
  EXPECT_EQ(b.rows[1].baseline, "naive");
  const std::string script = bench_chart_script(b, (root / "bench.png").string());
  EXPECT_NE(script.find("\"conv_forward N=50 C=3 H=32\" 5.000000 NaN"), std::string::npos) << script;
  EXPECT_NE(script.find("\"max_pool_forward N=50 C=32\" NaN 4.000000"), std::string::npos) << script;
  EXPECT_NE(script.find("\"conv_forward N=50 C=3 H=32\" 20.000000 4.000000"), std::string::npos) << script;

  std::ofstream(root / "bad.json") << R"({"rows": [{"op": "conv", "variant": "naive", "median_ms": -1}]})";
  EXPECT_THROW(read_bench_json((root / "bad.json").string()), Error);
  std::ofstream(root / "norows.json") << R"({"results": []})";
  EXPECT_THROW(read_bench_json((root / "norows.json").string()), Error);
  BenchResults alone;
  alone.rows.push_back({"conv", "gemm", "", "", 1.0, "naive", "cudnn", false});
  EXPECT_THROW(bench_chart_script(alone, "x.png"), Error);

  std::string why;
  if (!gnuplot_available(&why)) {
    fs::remove_all(root);
    GTEST_SKIP() << why;
  }
  plot_bench(b, (root / "bench.png").string());
  expect_chart((root / "bench.png").string(), 1200, 1040, "bench.png");
  fs::remove_all(root);
}

TEST(BenchChart, ReadsTheKernelBenchmarkSchema) {
  const auto root = test::fresh_temp_dir("plot_kernel_bench");
  auto row = [](const char* op, const char* pass, const char* variant, const char* device, double ms, json baseline,
                json vendor_variant, bool vendor) {
    return json{{"op", op},
                {"pass", pass},
                {"variant", variant},
                {"device", device},
                {"group", "seed"},
                {"shape", "x(2,3,4,4)"},
                {"vendor", vendor},
                {"ms", {{"median", ms}, {"q1", ms}, {"q3", ms}}},
                {"baseline_variant", baseline},
                {"vendor_variant", vendor_variant}};
  };
  json kb{
      {"schema", "convlab-kernel-bench/1"},
      {"devices", {{{"device", "cpu"}, {"name", "Some CPU"}}, {{"device", "cuda"}, {"name", "NVIDIA H100"}}}},
      {"rows",
       {row("conv", "fwd", "reference", "cpu", 40.0, nullptr, nullptr, false),
        row("conv", "fwd", "fast", "cpu", 8.0, "reference", nullptr, false),
        row("conv", "fwd", "naive", "cuda", 3.0, nullptr, "cudnn", false),
        row("conv", "fwd", "gemm", "cuda", 0.6, "naive", "cudnn", false),
        row("conv", "fwd", "cudnn", "cuda", 0.3, nullptr, nullptr, true),
        row("affine", "bwd", "naive", "cuda", 1.0, nullptr, "cublas", false),
        row("affine", "bwd", "cublas", "cuda", 0.5, nullptr, nullptr, true),
        json{{"op", "conv"}, {"pass", "*"}, {"variant", "tiled"}, {"device", "cuda"}, {"error", "out of memory"}}}}};
  const std::string path = (root / "results.json").string();
  std::ofstream(path) << json{{"schema", "convlab-gpu-bench/1"}, {"kernel_bench", kb}}.dump(1);
  const BenchResults b = read_bench_json(path);
  EXPECT_EQ(b.rows.size(), 7u);
  EXPECT_EQ(b.rows_left_out, 1);
  EXPECT_EQ(b.device, "NVIDIA H100");
  EXPECT_EQ(b.rows[3].op, "conv fwd");
  EXPECT_DOUBLE_EQ(b.rows[3].median_ms, 0.6);
  EXPECT_EQ(b.rows[0].baseline, "");
  EXPECT_TRUE(b.rows[4].vendor);

  const std::string all = bench_chart_script(b, "x.png");
  EXPECT_NE(all.find("\"conv fwd [cpu] x(2,3,4,4)\" 5.000000"), std::string::npos) << all;       // fast vs reference
  EXPECT_NE(all.find("\"conv fwd [cuda] x(2,3,4,4)\" NaN 5.000000"), std::string::npos) << all;  // gemm vs naive
  EXPECT_NE(all.find("\"affine bwd [cuda] x(2,3,4,4)\" 2.000000"), std::string::npos) << all;    // naive / cublas
  EXPECT_NE(all.find("cudnn/cublas"), std::string::npos);
  const std::string cuda = bench_chart_script(b, "x.png", {"cuda", "conv"});
  EXPECT_NE(cuda.find("\"conv fwd x(2,3,4,4)\" 5.000000"), std::string::npos) << cuda;
  EXPECT_NE(cuda.find("\"conv fwd x(2,3,4,4)\" 10.000000 2.000000"), std::string::npos) << cuda;
  EXPECT_EQ(cuda.find("affine"), std::string::npos);
  EXPECT_THROW(bench_chart_script(b, "x.png", {"tpu", ""}), Error);

  std::string why;
  if (!gnuplot_available(&why)) {
    fs::remove_all(root);
    GTEST_SKIP() << why;
  }
  plot_bench(b, (root / "kernel_bench.png").string(), {"cuda", ""});
  expect_chart((root / "kernel_bench.png").string(), 1200, 1040, "kernel_bench.png");
  fs::remove_all(root);
}
