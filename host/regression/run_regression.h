// Regression experiments from a JSON config (model.type linear_regression,
// ridge_regression or linear_regression_sgd, optionally with a learning-rate
// x batch-size sweep), as in the housing notebook.
//
// Config keys:
//   device: "auto" (default), "cpu" or "cuda": where the closed form's
//           A^T A, A^T y are formed (cuBLAS; the CPU when no GPU is present)
//   model:  type; fit_intercept (true); alpha (ridge, default 1 as simple_ml);
//           weight_scale (sgd: initial w ~ weight_scale * randn; 0, the default, starts at zeros)
//   data:   see parse_regression_data_config (path or $CONVLAB_DATA_DIR)
//   solver: (sgd) update_rule ("sgd"), optim_config {learning_rate, momentum,
//           decay_rate, beta1, beta2, epsilon}, lr_decay (1: after every epoch
//           learning_rate *= lr_decay), batch_size (32), num_epochs (100),
//           seed (0), print_every (10 epochs)
//   sweep:  (sgd) {"learning_rate": [...], "batch_size": [...]}
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/regression/linear_model.h"
#include "host/regression/sgd_regression.h"

namespace convlab {

bool is_regression_model_type(const std::string& type);

struct SplitMetrics {
  int64_t n = 0;
  double mae = 0.0, mse = 0.0;
};

struct SweepRun {
  double learning_rate = 0.0;
  int64_t batch_size = 0;
  bool diverged = false;
  std::string error;  // why it diverged
  SplitMetrics train, val, test;
  double best_val_mae = 0.0;
  int64_t best_epoch = 0;
  SgdHistory history;
};

struct RegressionResult {
  std::string model_type;
  LinearModel model;              // the fitted model (the best sweep run's for a sweep)
  SplitMetrics train, val, test;
  SgdHistory history;             // sgd only
  std::vector<SweepRun> sweep;    // sweep only
};

// Runs the experiment; progress lines go to `log`. Throws convlab::Error on
// a bad config or data.
RegressionResult run_regression_experiment(const nlohmann::json& config, std::ostream& log);

// The `convlab train` entry point: runs the experiment, prints the metrics
// per split to stdout and writes metrics.json (+ history CSVs, sweep table
// and curves) into out_dir (created; "" writes nothing). Returns 0; throws
// convlab::Error on a bad config or data.
int run_regression(const nlohmann::json& config, const std::string& out_dir);

// Writes the files of `r` into out_dir (see run_regression).
void write_regression_outputs(const RegressionResult& r, const std::string& out_dir);
// Prints the per-split metrics table of `r`.
void print_regression_metrics(const RegressionResult& r, std::ostream& out);

}  // namespace convlab
