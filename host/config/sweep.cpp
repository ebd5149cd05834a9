#include "host/config/sweep.h"

#include <cmath>
#include <iterator>

#include "host/config/config.h"
#include "host/config/json_reader.h"
#include "host/error.h"

namespace convlab::config {

bool has_sweep(const nlohmann::json& config) { return config.is_object() && config.contains("sweep"); }

namespace {
std::vector<nlohmann::json> values_of(const std::string& key, const nlohmann::json& v) {
  const std::string path = "sweep." + key;
  if (v.is_array()) {
    CONVLAB_CHECK(!v.empty(), path << ": expected a non-empty list of values");
    CONVLAB_CHECK(v.size() <= kMaxSweepRuns,
                  path << ": " << v.size() << " values; a sweep has at most " << kMaxSweepRuns << " runs");
    return std::vector<nlohmann::json>(v.begin(), v.end());
  }
  CONVLAB_CHECK(
      v.is_object() && v.size() == 1 && (v.contains("logspace") || v.contains("linspace")),
      path << ": expected a list of values, {\"logspace\": [lo, hi, num]} or {\"linspace\": [lo, hi, num]}, got "
           << json_brief(v));
  const bool log = v.contains("logspace");
  const nlohmann::json& a = log ? v["logspace"] : v["linspace"];
  CONVLAB_CHECK(a.is_array() && a.size() == 3 && a[0].is_number() && a[1].is_number() && a[2].is_number_integer() &&
                    a[2].get<int64_t>() >= 1,
                path << (log ? ".logspace" : ".linspace") << ": expected [lo, hi, num] with num an integer >= 1, got "
                     << json_brief(a));
  const double lo = a[0].get<double>(), hi = a[1].get<double>();
  const int64_t num = a[2].get<int64_t>();
  CONVLAB_CHECK(static_cast<uint64_t>(num) <= kMaxSweepRuns, path << (log ? ".logspace" : ".linspace") << ": " << num
                                                                  << " values; a sweep has at most " << kMaxSweepRuns
                                                                  << " runs");
  std::vector<nlohmann::json> out;
  for (int64_t i = 0; i < num; ++i) {
    const double x = num == 1 ? lo : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(num - 1);
    const double value = log ? std::pow(10.0, x) : x;
    CONVLAB_CHECK(std::isfinite(value), path << (log ? ".logspace" : ".linspace") << ": value " << i + 1 << " of "
                                             << num << " (" << (log ? "10^" : "") << x << ") is not a finite number; "
                                             << json_brief(a));
    out.emplace_back(value);
  }
  return out;
}
}  // namespace

std::vector<SweepPoint> expand_sweep(const nlohmann::json& config) {
  const nlohmann::json& sweep = config.at("sweep");
  CONVLAB_CHECK(sweep.is_object() && !sweep.empty(),
                "sweep: expected an object mapping JSON paths to value lists, got " << json_brief(sweep));
  std::vector<std::pair<std::string, std::vector<nlohmann::json>>> axes;
  std::size_t runs = 1;
  for (auto it = sweep.begin(); it != sweep.end(); ++it) {
    axes.push_back({it.key(), values_of(it.key(), *it)});
    runs *= axes.back().second.size();  // both factors <= kMaxSweepRuns: cannot wrap
    CONVLAB_CHECK(runs <= kMaxSweepRuns, "sweep: " << runs << (std::next(it) == sweep.end() ? "" : " or more")
                                                   << " runs (the product of the value lists' lengths up to "
                                                   << it.key() << "); a sweep has at most " << kMaxSweepRuns
                                                   << " runs");
  }
  nlohmann::json base = config;
  base.erase("sweep");
  std::vector<SweepPoint> points;
  std::vector<std::size_t> idx(axes.size(), 0);
  while (true) {
    SweepPoint p;
    p.config = base;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const auto& v = axes[a].second[idx[a]];
      p.assignments.push_back({axes[a].first, v});
      p.label += (a ? "," : "") + axes[a].first + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
      try {
        apply_override(p.config, axes[a].first + "=" + v.dump());
      } catch (const Error& e) {
        throw Error("sweep." + axes[a].first + ": " + e.what());
      }
    }
    points.push_back(std::move(p));
    std::size_t a = axes.size();
    while (a > 0) {
      --a;
      if (++idx[a] < axes[a].second.size()) break;
      idx[a] = 0;
      if (a == 0) return points;
    }
    if (axes.empty()) return points;
  }
}

}  // namespace convlab::config
