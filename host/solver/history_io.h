// Writing and reading a Solver's History: history.json (all series) and
// history.csv (one row per check: epoch, train/val metric, loss averaged over
// the epoch's iterations, epoch time, images/s).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "host/solver/solver.h"

namespace convlab {

nlohmann::json history_to_json(const History& h, const std::string& metric);
History history_from_json(const nlohmann::json& j);
std::string history_to_csv(const History& h, const std::string& metric, int64_t iterations_per_epoch);

}  // namespace convlab
