// history.json (+ config.json) -> RunHistory.
#include "host/plot/run_history.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "host/config/json_reader.h"
#include "host/error.h"
#include "host/solver/history_io.h"

namespace convlab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// history.json of a long run: a loss per iteration, tens of MB at most.
constexpr std::uint64_t kMaxRunFileBytes = std::uint64_t(1) << 30;

json read_json(const fs::path& p) {
  try {
    return config::read_json_file(p.string(), "run file", kMaxRunFileBytes);
  } catch (const Error& e) {
    throw Error(std::string("plot: ") + e.what());
  }
}

// The first value stored under `key` in j, searched depth first.
const json* find_key(const json& j, const std::string& key) {
  if (j.is_object()) {
    if (auto it = j.find(key); it != j.end()) return &*it;
    for (const auto& [k, v] : j.items())
      if (const json* hit = find_key(v, key)) return hit;
  } else if (j.is_array()) {
    for (const auto& v : j)
      if (const json* hit = find_key(v, key)) return hit;
  }
  return nullptr;
}

// `what` (when not empty) says what a required array holds, for the error.
std::vector<double> number_array(const json& j, const std::string& key, const fs::path& file, bool required,
                                 const std::string& what = "") {
  auto it = j.find(key);
  if (it == j.end()) {
    CONVLAB_CHECK(!required, "plot: " << file.string() << " has no \"" << key << "\" array"
                                      << (what.empty() ? "" : " (" + what + ")"));
    return {};
  }
  CONVLAB_CHECK(it->is_array(), "plot: " << file.string() << ": \"" << key << "\" must be an array of numbers");
  std::vector<double> out;
  for (const auto& v : *it) {
    CONVLAB_CHECK(v.is_number() || v.is_null(),
                  "plot: " << file.string() << ": \"" << key << "\" must hold numbers, found " << v.dump());
    out.push_back(v.is_number() ? v.get<double>() : std::nan(""));  // null: a non-finite value
  }
  return out;
}

bool is_metric_series_key(const std::string& key) {
  const std::string end = "_history";
  return (key.rfind("train_", 0) == 0 || key.rfind("val_", 0) == 0) && key.size() > end.size() &&
         key.compare(key.size() - end.size(), end.size(), end) == 0;
}

// "metric" (absent: "acc") and its two series, train_<metric>_history and
// val_<metric>_history (host/solver/history_io.h).
void read_metric_series(const json& h, const fs::path& file, RunHistory& r) {
  if (auto it = h.find("metric"); it != h.end()) {
    const bool name =
        it->is_string() && !it->get<std::string>().empty() &&
        it->get<std::string>().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    CONVLAB_CHECK(name, "plot: " << file.string()
                                 << ": \"metric\" must name a metric such as \"acc\" or \"mae\" (lower-case "
                                    "letters, digits, _), got "
                                 << config::json_brief(*it));
    r.metric_name = it->get<std::string>();
  }
  r.metric_label = r.metric_name == "acc" ? "accuracy" : r.metric_name;
  const std::string train_key = stored_metric_history_key(h, "train", r.metric_name);
  const std::string val_key = stored_metric_history_key(h, "val", r.metric_name);
  for (const auto& item : h.items())
    CONVLAB_CHECK(!is_metric_series_key(item.key()) || item.key() == train_key || item.key() == val_key,
                  "plot: " << file.string() << ": \"" << item.key() << "\" does not belong to its metric \""
                           << r.metric_name << "\" (expected \"" << train_key << "\" and \"" << val_key << "\")");
  const std::string per_check = "\"" + r.metric_name + "\" per check on the ";
  r.train_metric = number_array(h, train_key, file, true, per_check + "training set");
  r.val_metric = number_array(h, val_key, file, true, per_check + "validation set");
  CONVLAB_CHECK(r.train_metric.size() == r.val_metric.size(),
                "plot: " << file.string() << ": \"" << train_key << "\" has " << r.train_metric.size()
                         << " values but \"" << val_key << "\" has " << r.val_metric.size()
                         << " (one per check in each)");
}

}  // namespace

RunHistory read_run_history(const std::string& run_dir) {
  const fs::path given(run_dir);
  const bool is_file = fs::is_regular_file(given);
  const fs::path dir = is_file ? given.parent_path() : given;
  const fs::path file = is_file ? given : given / "history.json";
  CONVLAB_CHECK(fs::exists(file),
                "plot: " << file.string() << " does not exist (expected a run folder with history.json)");
  const json h = read_json(file);
  CONVLAB_CHECK(h.is_object(), "plot: " << file.string() << " must hold a JSON object");

  RunHistory r;
  r.dir = dir.string();
  r.loss_history = number_array(h, "loss_history", file, true);
  read_metric_series(h, file, r);
  r.check_epoch = number_array(h, "check_epoch", file, false);
  CONVLAB_CHECK(r.check_epoch.empty() || r.check_epoch.size() == r.train_metric.size(),
                "plot: " << file.string() << ": check_epoch has " << r.check_epoch.size() << " entries but there are "
                         << r.train_metric.size() << " train and " << r.val_metric.size() << " val values of metric \""
                         << r.metric_name << "\"");

  std::vector<std::pair<json, fs::path>> sources = {{h, file}};
  if (fs::exists(dir / "config.json")) sources.emplace_back(read_json(dir / "config.json"), dir / "config.json");
  auto lookup = [&](const std::string& key) -> std::pair<const json*, fs::path> {
    for (const auto& [j, p] : sources)
      if (const json* v = find_key(j, key); v != nullptr && !v->is_null()) return {v, p};
    return {nullptr, {}};
  };
  // A named initialisation ("kaiming", "pytorch") has no scale to plot: the
  // run simply has no weight_scale, as if the key were absent.
  const auto named_init = [](const nlohmann::json& v) {
    return v.is_string() && (v.get<std::string>() == "kaiming" || v.get<std::string>() == "pytorch");
  };
  if (auto [v, p] = lookup("weight_scale"); v && !named_init(*v)) {
    CONVLAB_CHECK(v->is_number(), "plot: " << p.string()
                                           << ": weight_scale must be a number, \"kaiming\" or \"pytorch\", got "
                                           << config::json_brief(*v));
    r.weight_scale = v->get<double>();
  }
  if (auto [v, p] = lookup("batch_size"); v) {
    CONVLAB_CHECK(
        v->is_number_integer() && v->get<int64_t>() >= 1 && v->get<int64_t>() <= (1 << 20),
        "plot: " << p.string() << ": batch_size must be an integer in [1, 1048576], got " << config::json_brief(*v));
    r.batch_size = v->get<int>();
  }
  if (auto [v, p] = lookup("normalization"); v) {
    CONVLAB_CHECK(v->is_string(),
                  "plot: " << p.string() << ": normalization must be a string or null, got " << v->dump());
    r.normalization = v->get<std::string>();
    if (r.normalization.empty() || r.normalization == "null") r.normalization = "none";
  }
  for (const auto& src : sources)
    for (const char* key : {"label", "name"})
      if (auto it = src.first.find(key); r.label.empty() && it != src.first.end() && it->is_string())
        r.label = it->get<std::string>();
  if (r.label.empty()) r.label = fs::absolute(dir).lexically_normal().filename().string();
  if (r.label.empty()) r.label = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  return r;
}

std::vector<RunHistory> read_runs(const std::vector<std::string>& paths) {
  std::vector<RunHistory> runs;
  for (const std::string& path : paths) {
    const fs::path sweep = fs::path(path) / "sweep.json";
    if (!fs::is_directory(path) || fs::exists(fs::path(path) / "history.json") || !fs::exists(sweep)) {
      runs.push_back(read_run_history(path));
      continue;
    }
    const json rows = read_json(sweep);
    CONVLAB_CHECK(rows.is_array(), "plot: " << sweep.string() << " must hold an array of runs");
    size_t found = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const json& row = rows[i];
      CONVLAB_CHECK(row.is_object() && row.contains("run") && row["run"].is_string(),
                    "plot: " << sweep.string() << ": entry " << i << " has no \"run\" folder name");
      const fs::path dir = fs::path(path) / row["run"].get<std::string>();
      if (!fs::exists(dir / "history.json")) continue;
      RunHistory r = read_run_history(dir.string());
      if (row.contains("label") && row["label"].is_string() && !row["label"].get<std::string>().empty())
        r.label = row["label"].get<std::string>();
      runs.push_back(std::move(r));
      ++found;
    }
    CONVLAB_CHECK(found > 0, "plot: the sweep " << path << " has no run with a history.json");
  }
  return runs;
}

}  // namespace convlab
