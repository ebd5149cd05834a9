// Sweeps: a config may hold a top-level "sweep" object mapping JSON paths to
// lists of values; the run is repeated for every combination (cartesian
// product, in key order of the file as sorted by name), e.g.
//   "sweep": {"model.weight_scale": {"logspace": [-4, 0, 20]},
//             "model.normalization": ["none", "batchnorm"]}
// A value list is a JSON array, or {"logspace": [lo, hi, num]} (as
// np.logspace(lo, hi, num)) or {"linspace": [lo, hi, num]}.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace convlab::config {

struct SweepPoint {
  std::string label;  // "model.weight_scale=0.0001,model.normalization=none"
  std::vector<std::pair<std::string, nlohmann::json>> assignments;
  nlohmann::json config;  // the config with the values set and "sweep" removed
};

// Most runs one sweep may expand to: a sweep is trained run after run, so
// more is a mistake (e.g. a num of 10^8), refused before anything is built.
constexpr std::size_t kMaxSweepRuns = 10000;

bool has_sweep(const nlohmann::json& config);
// Throws with the JSON path (sweep.<key>) on a malformed sweep: a value list
// that is empty or not a list, a logspace/linspace point that is not a finite
// number (10^400), or more than kMaxSweepRuns runs in all.
std::vector<SweepPoint> expand_sweep(const nlohmann::json& config);

}  // namespace convlab::config
