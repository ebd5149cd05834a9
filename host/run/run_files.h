// Files of a run folder (see host/run/train.h and docs/run-folders.md): the
// JSON/CSV writers, the best checkpoint, training.png and a sweep's summary.
// Every file is written atomically and durably (host/io/atomic_file.h), and
// only through a RunFolder that has begun writing (host/run/run_folder.h).
#pragma once
#include <iosfwd>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "host/run/run_folder.h"
#include "host/solver/solver.h"

namespace convlab {

void write_run_json(const RunFolder& folder, const std::string& name, const nlohmann::json& j);
// history.json and history.csv (host/solver/history_io.h): the metric series
// are named after the model's metric, e.g. train_acc_history or train_mae_history.
void write_history(const RunFolder& folder, const Solver& solver);
// best.safetensors: the model state (params + buffers) with metadata
// (format, model type, epoch, metric, the resolved config).
void write_best_checkpoint(const RunFolder& folder, const std::map<std::string, Tensor>& state,
                           const nlohmann::json& resolved_config, const std::string& model_type, int64_t epoch,
                           const std::string& metric, double val_metric);
// training.png from history.json, drawn into a temporary file and renamed;
// without gnuplot, or on any error, prints one line to `log` instead.
void write_training_plot(const RunFolder& folder, std::ostream& log);
// sweep.json (all rows) and sweep.csv (one line per run: values, best val, final train metric, last loss).
void write_sweep_summary(const RunFolder& sweep_folder, const nlohmann::json& rows);

}  // namespace convlab
