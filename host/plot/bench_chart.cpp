// Bench JSON -> two clustered bar charts (speedup over the baseline, time
// relative to cuDNN), one cluster per (op, shape), one bar per variant.
#include "host/plot/bench_chart.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "host/error.h"
#include "host/plot/gnuplot.h"

namespace convlab {

using nlohmann::json;

BenchResults read_bench_json(const std::string& path) {
  std::ifstream f(path);
  CONVLAB_CHECK(f.good(), "bench chart: cannot open " << path);
  json j;
  try {
    j = json::parse(f);
  } catch (const json::exception& e) {
    throw Error("bench chart: " + path + " is not valid JSON: " + e.what());
  }
  CONVLAB_CHECK(j.is_object() && j.contains("rows") && j["rows"].is_array(),
                "bench chart: " << path << " must be an object with a \"rows\" array");
  BenchResults b;
  if (j.contains("device") && j["device"].is_string()) b.device = j["device"].get<std::string>();
  for (size_t i = 0; i < j["rows"].size(); ++i) {
    const json& r = j["rows"][i];
    auto str = [&](const char* key, bool required, const std::string& def) {
      if (!r.contains(key)) {
        CONVLAB_CHECK(!required, "bench chart: " << path << ": rows[" << i << "] has no \"" << key << "\"");
        return def;
      }
      CONVLAB_CHECK(r[key].is_string(), "bench chart: " << path << ": rows[" << i << "]." << key << " must be a string");
      return r[key].get<std::string>();
    };
    CONVLAB_CHECK(r.is_object(), "bench chart: " << path << ": rows[" << i << "] must be an object");
    BenchRow row;
    row.op = str("op", true, "");
    row.variant = str("variant", true, "");
    row.shape = str("shape", false, "");
    row.baseline = str("baseline", false, "naive");
    CONVLAB_CHECK(r.contains("median_ms") && r["median_ms"].is_number() && r["median_ms"].get<double>() > 0,
                  "bench chart: " << path << ": rows[" << i << "].median_ms must be a positive number");
    row.median_ms = r["median_ms"].get<double>();
    b.rows.push_back(row);
  }
  return b;
}

namespace {

// One table per panel: groups (rows of the table) x variants (columns).
struct Table {
  std::vector<std::string> groups, variants;
  std::map<std::pair<std::string, std::string>, double> value;  // (group, variant) -> value
  void put(const std::string& g, const std::string& v, double x) {
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
    if (std::find(variants.begin(), variants.end(), v) == variants.end()) variants.push_back(v);
    value[{g, v}] = x;
  }
};

void write_table(std::ostringstream& os, const char* name, const Table& t) {
  os << "$" << name << " << EOD\n";
  for (const std::string& g : t.groups) {
    os << gnuplot_quote(g);
    for (const std::string& v : t.variants) {
      auto it = t.value.find({g, v});
      os << " " << (it == t.value.end() ? std::string("NaN") : std::to_string(it->second));
    }
    os << "\n";
  }
  os << "EOD\n";
}

// Bars, then each bar's value printed above it. With "gap 1", bar k of n
// in cluster i is centred at i + (k - (n - 1) / 2) / (n + 1).
void plot_table(std::ostringstream& os, const char* name, const Table& t, const char* value_format) {
  const size_t n = t.variants.size();
  for (size_t c = 0; c < n; ++c)
    os << (c == 0 ? "plot " : ", ") << "$" << name << " using " << c + 2 << (c == 0 ? ":xtic(1)" : "")
       << " title " << gnuplot_quote(t.variants[c]);
  for (size_t c = 0; c < n; ++c)
    os << ", $" << name << " using ($0 + (" << c << " - " << (n - 1) / 2.0 << ") / " << n + 1 << ".0):" << c + 2
       << ":(sprintf(\"" << value_format << "\", $" << c + 2 << ")) with labels offset 0,0.8 font \",9\" notitle";
  os << "\n";
}

}  // namespace

std::string bench_chart_script(const BenchResults& bench, const std::string& out_png) {
  std::map<std::pair<std::string, std::string>, std::map<std::string, double>> ms;  // (op, shape) -> variant -> ms
  std::vector<std::pair<std::string, std::string>> order;
  for (const BenchRow& r : bench.rows) {
    const auto key = std::make_pair(r.op, r.shape);
    if (!ms.count(key)) order.push_back(key);
    ms[key][r.variant] = r.median_ms;
  }
  Table speedup, vs_cudnn;
  for (const BenchRow& r : bench.rows) {
    const auto key = std::make_pair(r.op, r.shape);
    const std::string group = r.op + (r.shape.empty() ? "" : " " + r.shape);
    const auto& m = ms[key];
    if (r.variant != r.baseline && r.variant != "cudnn" && m.count(r.baseline))
      speedup.put(group, r.variant + " vs " + r.baseline, m.at(r.baseline) / r.median_ms);
    if (r.variant != "cudnn" && m.count("cudnn")) vs_cudnn.put(group, r.variant, r.median_ms / m.at("cudnn"));
  }
  CONVLAB_CHECK(!speedup.groups.empty() || !vs_cudnn.groups.empty(),
                "bench chart: no row has its baseline variant or a cudnn row in its (op, shape) group");
  const int panels = (speedup.groups.empty() ? 0 : 1) + (vs_cudnn.groups.empty() ? 0 : 1);
  std::ostringstream os;
  os << gnuplot_png_preamble(out_png, 1200, 500 * panels);
  write_table(os, "speedup", speedup);
  write_table(os, "cudnn", vs_cudnn);
  const std::string on = bench.device.empty() ? "" : " on " + bench.device;
  os << "set multiplot layout " << panels << ",1\n"
     << "set style data histograms\nset style histogram clustered gap 1\n"
     << "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
     << "set grid ytics\nset key outside right top\nset xtics rotate by -20 left noenhanced\n"
     << "set logscale y\nset format y \"%g\"\n"
     << "set bmargin 6\n";
  if (!speedup.groups.empty()) {
    os << "set title " << gnuplot_quote("Speedup over the baseline variant" + on + " (higher is better)") << "\n"
       << "set ylabel \"speedup (x)\"\n";
    plot_table(os, "speedup", speedup, "%.1fx");
  }
  if (!vs_cudnn.groups.empty()) {
    os << "set title " << gnuplot_quote("Time relative to cuDNN" + on + " (1 = as fast as cuDNN, lower is better)")
       << "\nset ylabel \"time / cuDNN time\"\n";
    plot_table(os, "cudnn", vs_cudnn, "%.2f");
  }
  os << "unset multiplot\n";
  return os.str();
}

void plot_bench(const BenchResults& bench, const std::string& out_png) {
  run_gnuplot(bench_chart_script(bench, out_png), out_png);
}

}  // namespace convlab
