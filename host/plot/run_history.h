// A training run's history as the plots need it, read from a run folder's
// history.json:
//   {"loss_history": [loss per iteration...],
//    "train_acc_history": [accuracy per check...], "val_acc_history": [...],
//    "check_epoch": [epoch of each check...] (optional; else 0, 1, 2, ...),
//    "metric": "accuracy" (optional: what the *_acc_history series measure), ...}
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
  std::vector<double> loss_history, train_acc_history, val_acc_history;
  std::vector<double> check_epoch;  // x of the accuracy points; empty: 0, 1, 2, ...
  std::optional<double> weight_scale;
  std::optional<int> batch_size;
  std::string metric = "accuracy";
  std::string normalization = "none";  // "none", "batchnorm", "layernorm", ...
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
