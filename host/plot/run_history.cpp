// history.json (+ config.json) -> RunHistory.
#include "host/plot/run_history.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "host/config/json_reader.h"
#include "host/error.h"

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

std::vector<double> number_array(const json& j, const char* key, const fs::path& file, bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    CONVLAB_CHECK(!required, "plot: " << file.string() << " has no \"" << key << "\" array");
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

}  // namespace

RunHistory read_run_history(const std::string& run_dir) {
  const fs::path given(run_dir);
  const bool is_file = fs::is_regular_file(given);
  const fs::path dir = is_file ? given.parent_path() : given;
  const fs::path file = is_file ? given : given / "history.json";
  CONVLAB_CHECK(fs::exists(file), "plot: " << file.string() << " does not exist (expected a run folder with history.json)");
  const json h = read_json(file);
  CONVLAB_CHECK(h.is_object(), "plot: " << file.string() << " must hold a JSON object");

  RunHistory r;
  r.dir = dir.string();
  r.loss_history = number_array(h, "loss_history", file, true);
  r.train_acc_history = number_array(h, "train_acc_history", file, false);
  r.val_acc_history = number_array(h, "val_acc_history", file, false);
  r.check_epoch = number_array(h, "check_epoch", file, false);
  CONVLAB_CHECK(r.check_epoch.empty() || (r.check_epoch.size() == r.train_acc_history.size() &&
                                          r.check_epoch.size() == r.val_acc_history.size()),
                "plot: " << file.string() << ": check_epoch has " << r.check_epoch.size() << " entries but there are "
                         << r.train_acc_history.size() << " train and " << r.val_acc_history.size()
                         << " val accuracies");

  if (auto it = h.find("metric"); it != h.end() && it->is_string() && !it->get<std::string>().empty())
    r.metric = it->get<std::string>() == "acc" ? "accuracy" : it->get<std::string>();

  std::vector<std::pair<json, fs::path>> sources = {{h, file}};
  if (fs::exists(dir / "config.json")) sources.emplace_back(read_json(dir / "config.json"), dir / "config.json");
  auto lookup = [&](const std::string& key) -> std::pair<const json*, fs::path> {
    for (const auto& [j, p] : sources)
      if (const json* v = find_key(j, key); v != nullptr && !v->is_null()) return {v, p};
    return {nullptr, {}};
  };
  // A named initialisation ("kaiming") has no scale to plot: the run simply
  // has no weight_scale, as if the key were absent.
  if (auto [v, p] = lookup("weight_scale"); v && !(v->is_string() && v->get<std::string>() == "kaiming")) {
    CONVLAB_CHECK(v->is_number(), "plot: " << p.string() << ": weight_scale must be a number or \"kaiming\", got "
                                           << config::json_brief(*v));
    r.weight_scale = v->get<double>();
  }
  if (auto [v, p] = lookup("batch_size"); v) {
    CONVLAB_CHECK(v->is_number_integer() && v->get<int64_t>() >= 1 && v->get<int64_t>() <= (1 << 20),
                  "plot: " << p.string() << ": batch_size must be an integer in [1, 1048576], got "
                           << config::json_brief(*v));
    r.batch_size = v->get<int>();
  }
  if (auto [v, p] = lookup("normalization"); v) {
    CONVLAB_CHECK(v->is_string(), "plot: " << p.string() << ": normalization must be a string or null, got " << v->dump());
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
