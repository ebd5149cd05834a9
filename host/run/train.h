// `convlab train`: config file -> validated run config(s) -> training runs,
// each writing a run folder:
//   config.json       the resolved config (defaults filled in)
//   history.json/.csv the Solver's history (written after every check)
//   best.safetensors  the parameters (and batchnorm running statistics) with
//                     the best validation metric, cs231n names
//   last.safetensors  the state after the last finished epoch, with the resume
//                     state in its metadata (for --resume); state.json: a copy of
//                     that resume state for reading
//   summary.json      train/val/test metric, time, images/s, device
//   training.png      the curves (when gnuplot is present)
//   .convlab.lock     held (flock) by the process using the folder
// What convlab guarantees about these folders (atomic writes, locking, never
// overwritten without --overwrite or --resume, validation before any write)
// is in docs/run-folders.md; host/run/run_folder.h implements it.
#pragma once
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/config/config.h"
#include "host/data/cifar10.h"
#include "host/solver/solver.h"
#include "host/tensor.h"

namespace convlab {

struct TrainOptions {
  std::vector<std::string> overrides;  // --set k=v, applied in order
  std::string device;                  // --device: overrides config "device" when not empty
  std::string out_dir;                 // --out: the run folder (a sweep puts its runs inside)
  std::string resume_dir;              // --resume: continue the run in this folder
  bool overwrite = false;              // --overwrite: replace the run or sweep in out_dir
  // Told the path of the run (or sweep) folder once it is open (the Python package's train()).
  std::function<void(const std::string&)> on_folder;
};

class RunFolder;  // host/run/run_folder.h

// What one run hands to its model type's training function.
struct RunContext {
  RunFolder* folder;  // locked; empty unless resuming (or stale files of an
                      // --overwrite); the handler calls folder->begin_writing()
                      // once its checks pass, and writes only after that
  Device device;
  bool resume = false;
  std::ostream* out;  // printed lines
};

struct RunResult {
  bool ok = true;          // false: stopped early (non-finite loss)
  nlohmann::json summary;  // also written to summary.json
};

// One model family's training path. Dispatch point: a model type that is not
// trained by the classifier pipeline (e.g. "linear_regression") registers its
// own function here (see train_handlers() in host/run/train.cpp).
using TrainHandler = std::function<RunResult(const config::RunConfig&, const RunContext&)>;
const std::map<std::string, TrainHandler>& train_handlers();

// The classifier pipeline (three_layer_convnet, fc_net, sequential on CIFAR-10).
RunResult train_classifier(const config::RunConfig& config, const RunContext& ctx);
// The regression pipeline (linear_regression, ridge_regression in closed
// form; linear_regression_sgd through the Solver) on LIBSVM data such as
// housing_scale (host/run/regression_run.cpp).
RunResult train_regression(const config::RunConfig& config, const RunContext& ctx);

// Reads the config (or RUN_DIR/config.json when resuming and config_path is
// empty), applies the options, expands a sweep, checks every run's config,
// and only then opens the run folder (see RunFolder) and trains every run.
// Returns the process exit status (0 ok, 1 a run stopped early); throws
// convlab::Error on bad input.
int train_command(const std::string& config_path, const TrainOptions& options, std::ostream& out);

// The Solver's options from the config's solver section (optim, param_groups, lr_decay,
// batch_size, num_epochs, sample counts, print_every, verbose); progress stays off.
SolverOptions solver_options(const config::SolverConfig& solver);
// The CIFAR-10 split a config's "data" asks for (train and eval read the same).
Cifar10Options cifar10_options(const config::DataConfig& data);

// "auto" -> cuda when a GPU is usable, else cpu; "cuda" without a GPU is an error.
Device resolve_device(const std::string& name);

}  // namespace convlab
