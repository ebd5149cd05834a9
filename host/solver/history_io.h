// Writing and reading a Solver's History: history.json (all series) and
// history.csv (one row per check: epoch, train/val metric, loss averaged over
// the epoch's iterations, epoch time, images/s).
//
// history.json's keys: "metric" (the model's metric name), "loss_history",
// "train_<metric>_history" and "val_<metric>_history" (the metric per check),
// "check_epoch", "epoch_time_s", "images_per_s". A classifier (metric "acc")
// so writes "train_acc_history" / "val_acc_history", cs231n's names; the
// housing model (metric "mae") writes "train_mae_history" / "val_mae_history".
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "host/solver/solver.h"

namespace convlab {

// The history.json key of a split's metric series: ("train", "acc") ->
// "train_acc_history", ("val", "mae") -> "val_mae_history".
std::string metric_history_key(const std::string& split, const std::string& metric);
// The key a history file `j` holds the `split` series of `metric` under:
// metric_history_key's, or train_acc_history / val_acc_history in a file
// written before the series were named after their metric (regression runs
// then stored theirs under the accuracy names) when only those are there.
// For the plots, which read old run folders; a resume state is always current.
std::string stored_metric_history_key(const nlohmann::json& j, const std::string& split, const std::string& metric);

nlohmann::json history_to_json(const History& h);
// The series of `j`, written by history_to_json for a model whose metric is
// `metric` (its "metric" must be metric.name). Values are not checked: a
// reader of untrusted files checks them first (see host/run/resume_state.cpp).
History history_from_json(const nlohmann::json& j, const Metric& metric);
std::string history_to_csv(const History& h, int64_t iterations_per_epoch);

}  // namespace convlab
