// The regression pipeline of `convlab train` (the housing notebook):
// LIBSVM file -> train/val/test split -> standardizer -> closed-form
// linear/ridge regression, or the linear model trained by the Solver ->
// metrics per split, printed and written to the run folder:
//   config.json, summary.json (MAE and MSE per split, the Solver's fields),
//   and for linear_regression_sgd history.json/.csv (loss per iteration,
//   train/val MAE per epoch: the validation curve, under "train_mae_history"
//   and "val_mae_history").
#include <chrono>
#include <ostream>

#include "host/config/json_reader.h"
#include "host/regression/normal_equations.h"
#include "host/regression/regression_data.h"
#include "host/regression/regression_report.h"
#include "host/run/run_files.h"
#include "host/run/train.h"
#include "host/solver/solver.h"
#include "kernels/runtime/cuda_device.h"
#include "models/linear_regression.h"

namespace convlab {

namespace {

struct RegressionModelConfig {
  std::string type;
  bool fit_intercept = true;
  double alpha = 1.0;         // ridge_regression (simple_ml's default)
  double weight_scale = 0.0;  // linear_regression_sgd: 0 starts from zeros
};

RegressionModelConfig parse_model(const nlohmann::json& spec) {
  config::JsonReader r(spec, "model");
  RegressionModelConfig m;
  m.type = r.string("type", std::nullopt, {"linear_regression", "ridge_regression", "linear_regression_sgd"});
  m.fit_intercept = r.boolean("fit_intercept", m.fit_intercept);
  if (m.type == "ridge_regression") m.alpha = r.number("alpha", m.alpha, 0.0);
  if (m.type == "linear_regression_sgd") m.weight_scale = r.number("weight_scale", m.weight_scale, 0.0);
  r.finish();
  return m;
}

// float32 Dataset of a split (the Solver trains in float32).
Dataset to_dataset(const Tensor& X, const Tensor& y) { return Dataset(X.to(DType::f32), y.to(DType::f32), Tensor()); }

// Trains the linear model with the Solver; returns the best-validation model.
LinearModel train_with_solver(const config::RunConfig& cfg, const RunContext& ctx, const RegressionModelConfig& mc,
                              const RegressionSplits& d, nlohmann::json& summary, bool& ok) {
  std::ostream& out = *ctx.out;
  CONVLAB_CHECK(d.X_val.dim(0) > 0,
                "data.val_split: linear_regression_sgd needs a validation split "
                "(the Solver keeps the parameters with the best validation MAE), got "
                    << d.X_val.dim(0) << " samples");
  NumpyRandom rng(cfg.solver.seed);
  LinearRegressionOptions lo;
  lo.input_dim = d.X_train.dim(1);
  lo.weight_scale = mc.weight_scale;
  lo.fit_intercept = mc.fit_intercept;
  LinearRegressionModel model(lo, rng);
  SolverOptions so = solver_options(cfg.solver);
  Solver solver(model, to_dataset(d.X_train, d.y_train), to_dataset(d.X_val, d.y_val), so, rng, out);
  solver.on_check = [&](int64_t, bool) { write_history(*ctx.folder, solver); };
  ok = solver.train();
  write_history(*ctx.folder, solver);
  const History& h = solver.history();
  summary["best_val"] = solver.best_epoch() >= 0 ? nlohmann::json(solver.best_val_metric()) : nlohmann::json(nullptr);
  summary["best_epoch"] = solver.best_epoch();
  summary["final_train"] = h.train_metric.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.train_metric.back());
  summary["final_val"] = h.val_metric.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.val_metric.back());
  summary["final_loss"] = h.loss_history.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.loss_history.back());
  summary["epochs"] = solver.epoch();
  summary["iterations"] = solver.iterations_done();
  if (!ok) summary["stop_reason"] = solver.stop_reason();
  return model.linear_model();  // the Solver loaded the best parameters
}

}  // namespace

RunResult train_regression(const config::RunConfig& cfg, const RunContext& ctx) {
  std::ostream& out = *ctx.out;
  const auto t0 = std::chrono::steady_clock::now();
  const RegressionModelConfig mc = parse_model(cfg.model.spec);
  CONVLAB_CHECK(!ctx.resume, "--resume: regression runs take seconds and have no resume state; start a new run");
  CONVLAB_CHECK(cfg.data.dataset == "libsvm",
                "data.dataset: model type " << mc.type << " trains on \"libsvm\" data (e.g. housing_scale), got \""
                                            << cfg.data.dataset << "\"");
  const RegressionDataConfig dc = parse_regression_data_config(cfg.data.spec);
  const RegressionSplits d = load_regression_splits(dc);

  const bool sgd = mc.type == "linear_regression_sgd";
  // Closed form: A^T A and A^T y with cuBLAS on the GPU, the small solve on
  // the host. The SGD model is tiny and stays on the CPU.
  const bool gpu = !sgd && ctx.device == Device::cuda && normal_equations_on_gpu_available();
  const std::string where = gpu ? "cuda (" + cuda::device_name() + ", normal equations)" : "cpu";
  out << "convlab train: " << mc.type << " on " << where << "; " << d.X_train.dim(0) << " train / " << d.X_val.dim(0)
      << " val / " << d.X_test.dim(0) << " test samples, " << d.X_train.dim(1) << " features from " << dc.path
      << (dc.standardize ? " (standardized with the training split's statistics)" : "") << "; run folder "
      << ctx.folder->path() << "\n";
  out.flush();

  nlohmann::json resolved = cfg.resolved;
  resolved["data"]["path"] = dc.path;
  resolved["model"] = cfg.model.spec;
  if (!sgd) resolved.erase("solver");
  RunFolder& folder = *ctx.folder;
  folder.begin_writing();
  write_run_json(folder, "config.json", resolved);

  nlohmann::json s;
  bool ok = true;
  LinearModel model;
  if (mc.type == "linear_regression") {
    model = fit_linear_regression(d.X_train, d.y_train, mc.fit_intercept, gpu ? Device::cuda : Device::cpu);
  } else if (mc.type == "ridge_regression") {
    model = fit_ridge_regression(d.X_train, d.y_train, mc.alpha, mc.fit_intercept, gpu ? Device::cuda : Device::cpu);
  } else {
    model = train_with_solver(cfg, ctx, mc, d, s, ok);
  }
  RegressionMetrics m;
  m.train = evaluate_split(model, d.X_train, d.y_train);
  m.val = evaluate_split(model, d.X_val, d.y_val);
  m.test = evaluate_split(model, d.X_test, d.y_test);
  print_regression_metrics(mc.type, model, m, out);

  s["status"] = ok ? "ok" : "stopped";
  s["model_type"] = mc.type;
  s["metric"] = "mae";
  s["train"] = m.train.mae;
  s["val"] = m.val.mae;
  s["test"] = m.test.mae;
  if (!sgd) {  // the sweep table's columns: the closed form has one "epoch"
    s["best_val"] = m.val.mae;
    s["best_epoch"] = 0;
    s["final_train"] = m.train.mae;
    s["final_loss"] = 0.5 * m.train.mse;
  }
  s["splits"] = {{"train", split_json(m.train)}, {"val", split_json(m.val)}, {"test", split_json(m.test)}};
  s["bias"] = model.b;
  s["weights"] = model.w;
  s["time_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s["device"] = gpu ? "cuda" : "cpu";
  s["num_train"] = m.train.n;
  s["num_val"] = m.val.n;
  s["num_test"] = m.test.n;
  write_run_json(folder, "summary.json", s);
  out << "run folder " << ctx.folder->path() << "\n";
  out.flush();
  return {ok, s};
}

}  // namespace convlab
