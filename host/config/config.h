// The run configuration of `convlab train`: JSON -> typed structs, validated.
// The schema is documented in docs/config.md. Sections: data, model, solver,
// device, output (and optionally sweep, expanded by host/config/sweep.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/data/augment.h"
#include "host/ops/math_precision.h"
#include "host/ops/optim/optim.h"
#include "host/solver/lr_schedule.h"
#include "host/solver/param_groups.h"
#include "host/solver/tta.h"
#include "host/solver/weight_average.h"

namespace convlab::config {

using nlohmann::json;

// cs231n get_CIFAR10_data(num_training, num_validation, num_test, subtract_mean)
// followed by the notebooks' small_data = X_train[:num_train].
struct DataConfig {
  std::string dataset = "cifar10";
  std::string path;  // folder of the .bin files; "" = search (see host/data/cifar10.h)
  int64_t num_training = 49000;
  int64_t num_validation = 1000;
  // "held_out": the num_validation images after the num_training ones;
  // "from_training": the last num_validation of the training images, which
  // are trained on (recipes that train on all 50,000 and keep the last weights).
  std::string validation = "held_out";
  int64_t num_test = 1000;
  int64_t num_train = -1;          // first num_train images of the training split go to the solver; -1 = all
  bool subtract_mean = true;       // false: normalize "none" (the two keys must agree)
  std::string normalize = "mean";  // "mean" (cs231n's mean image), "mean_std" (per channel), "none"
  AugmentConfig augment;           // training batches only
  bool prefetch = true;            // a background thread prepares the next training batch
  // dataset "libsvm" (regression models): the whole "data" object, whose
  // keys that pipeline validates itself (host/regression/regression_data.h).
  json spec;
};

// The model section stays JSON: each model type validates its own keys
// (models/model_factory.h) with the JSON path "model".
struct ModelConfig {
  std::string type;
  json spec;  // the whole "model" object
};

struct SolverConfig {
  OptimConfig optim;  // update_rule + optim_config
  std::vector<ParamGroup> param_groups;
  double lr_decay = 1.0;
  LrSchedule lr_schedule;  // "lr_schedule" (host/solver/lr_schedule.h); step uses lr_decay
  int64_t batch_size = 100;
  double num_epochs = 10;            // may be fractional: ceil(num_epochs * iterations per epoch) iterations
  int64_t num_train_samples = 1000;  // -1 = all (Python None)
  int64_t num_val_samples = -1;      // -1 = all (Python None)
  int64_t print_every = 10;
  bool verbose = true;
  uint32_t seed = 231;              // seeds model initialisation and batch sampling (np.random.seed)
  std::string progress = "auto";    // auto (only on a terminal), on, off
  std::string keep = "best";        // "best" (the best val check) or "last" (the last check's parameters)
  std::string sampling = "random";  // "random" (with replacement, cs231n) or "epoch" (a permutation per epoch)
  WeightAveragingConfig averaging;  // "weight_averaging" (host/solver/weight_average.h)
};

// "evaluation": test-time augmentation of the end-of-training val/test evaluation.
struct EvaluationConfig {
  TtaLevel tta = TtaLevel::none;
};

struct OutputConfig {
  std::string dir = "runs";  // run folders go to <dir>/<name>-<UTC time>
  std::string name;          // default: the config file's stem
  bool save_checkpoint = true;
};

struct RunConfig {
  DataConfig data;
  ModelConfig model;
  SolverConfig solver;
  std::string device = "auto";  // auto, cpu, cuda
  // fp32, or tf32 / bf16: float32 training whose convs and affines multiply
  // on tensor cores with TF32 or BF16 operands and float32 accumulation
  // (host/ops/math_precision.h); needs device cuda and a float32 model.
  MathPrecision precision = MathPrecision::full;
  OutputConfig output;
  EvaluationConfig evaluation;
  json resolved;  // the validated config with defaults filled in (written to the run folder)
};

// Reads a JSON config file (at most kMaxConfigBytes, parsed with
// parse_json: nesting capped, errors name the file, the key and the position).
constexpr std::uint64_t kMaxConfigBytes = std::uint64_t(16) << 20;
json load_json_file(const std::string& path);

// Applies "--set a.b.c=value": value is parsed as JSON when it is valid JSON
// (numbers, true/false, null, [..], {..}, "..") and taken as a string otherwise.
// Intermediate objects are created; an index into a list is written a.b.0.
void apply_override(json& j, const std::string& assignment);

// Validates every section (except the model's own keys, see ModelConfig)
// and fills in defaults. Throws convlab::Error naming the JSON path.
RunConfig parse_run_config(const json& j);

}  // namespace convlab::config
