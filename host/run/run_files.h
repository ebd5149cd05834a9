// Files of a run folder (see host/run/train.h): JSON/CSV writers, the best
// checkpoint and the resume state. Every file is written atomically.
#pragma once
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "host/solver/solver.h"
#include "models/model.h"

namespace convlab {

void write_json_file(const std::string& path, const nlohmann::json& j);
void write_history(const std::string& run_dir, const Solver& solver, const std::string& metric);
// best.safetensors: the model state (params + buffers) with metadata
// (format, model type, epoch, metric, the resolved config).
void write_best_checkpoint(const std::string& run_dir, const std::map<std::string, Tensor>& state,
                           const nlohmann::json& resolved_config, const std::string& model_type, int64_t epoch,
                           const std::string& metric, double val_metric);
// last.safetensors (model state + optimiser state "optim.s1.<name>"/"optim.s2.<name>"
// + best state "best.<name>") and state.json (epoch, best metric and epoch, history).
void write_resume_state(const std::string& run_dir, Model& model, Solver& solver);
// Restores what write_resume_state wrote into the model and the solver.
void load_resume_state(const std::string& run_dir, Model& model, Solver& solver);
// sweep.json (all rows) and sweep.csv (one line per run: values, best val, final train metric, last loss).
void write_sweep_summary(const std::string& sweep_dir, const nlohmann::json& rows);

}  // namespace convlab
