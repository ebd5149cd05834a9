// A training run's history as the plots need it, read from a run folder's
// history.json (host/solver/history_io.h):
//   {"metric": "acc" (optional: "acc" when absent; "mae" for the housing model),
//    "loss_history": [loss per iteration...],
//    "train_<metric>_history": [the metric per check...], "val_<metric>_history": [...],
//    "check_epoch": [epoch of each check...] (optional; else 0, 1, 2, ...), ...}
// A classifier's file has "train_acc_history" and "val_acc_history"; a
// regression run's "train_mae_history" and "val_mae_history". Both series are
// required, of equal length, and no key may name another metric's series.
// Sweep plots also need the run's settings; they are looked up by key name
// anywhere in history.json (e.g. inside a "config" object), then in the
// folder's config.json if there is one: "weight_scale", "batch_size",
// "normalization" (null, "none", "batchnorm", "layernorm"); the label is a
// top-level "label" or "name" of either file.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace convlab {

struct RunHistory {
  std::string dir;    // the run folder
  std::string label;  // "label" or "name" from the files, else the folder's name
  std::vector<double> loss_history;
  std::vector<double> train_metric, val_metric;  // the metric per check on the training / validation set
  std::vector<double> check_epoch;               // x of the metric's points; empty: 0, 1, 2, ...
  std::optional<double> weight_scale;
  std::optional<int> batch_size;
  std::string metric_name = "acc";        // as in history.json: "acc", "mae"
  std::string metric_label = "accuracy";  // the axis label: "accuracy" for "acc", else the name
  std::string normalization = "none";     // "none", "batchnorm", "layernorm", ...
};

// Reads <run_dir>/history.json (run_dir may also name the .json file itself).
// Throws convlab::Error naming the file and the key when it is missing or malformed.
RunHistory read_run_history(const std::string& run_dir);

// Reads every path in order: a run folder or its history.json as above, or a
// sweep folder (a sweep.json array of {"run": subfolder, "label": ...}),
// which stands for its runs, labelled by the sweep. Sweep runs without a
// history.json (failed runs) are left out; a sweep with none is an error.
std::vector<RunHistory> read_runs(const std::vector<std::string>& paths);

}  // namespace convlab
