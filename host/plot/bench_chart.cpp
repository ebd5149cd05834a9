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

#include "host/config/json_reader.h"
#include "host/error.h"
#include "host/plot/gnuplot.h"

namespace convlab {

using nlohmann::json;

namespace {

std::string string_field(const json& r, const char* key, const std::string& def, const std::string& where) {
  if (!r.contains(key) || r[key].is_null()) return def;
  CONVLAB_CHECK(r[key].is_string(), where << "." << key << " must be a string, got " << r[key].dump());
  return r[key].get<std::string>();
}

BenchRow bench_row(const json& r, const std::string& where) {
  CONVLAB_CHECK(r.is_object(), where << " must be an object");
  BenchRow row;
  row.op = string_field(r, "op", "", where);
  row.variant = string_field(r, "variant", "", where);
  CONVLAB_CHECK(!row.op.empty() && !row.variant.empty(), where << " needs \"op\" and \"variant\"");
  const std::string pass = string_field(r, "pass", "", where);
  if (!pass.empty()) row.op += " " + pass;
  row.device = string_field(r, "device", "", where);
  row.shape = string_field(r, "shape", "", where);
  const json* median = r.contains("median_ms")                                                   ? &r["median_ms"]
                       : (r.contains("ms") && r["ms"].is_object() && r["ms"].contains("median")) ? &r["ms"]["median"]
                                                                                                 : nullptr;
  CONVLAB_CHECK(median != nullptr && median->is_number() && median->get<double>() > 0,
                where << " needs a positive \"median_ms\" (or \"ms\": {\"median\"})");
  row.median_ms = median->get<double>();
  // The kernel benchmark says "baseline_variant" (null: none); the plain list "baseline".
  if (r.contains("baseline_variant"))
    row.baseline = string_field(r, "baseline_variant", "", where);
  else
    row.baseline = string_field(r, "baseline", "naive", where);
  row.vendor_variant = string_field(r, "vendor_variant", "cudnn", where);
  if (r.contains("vendor")) {
    CONVLAB_CHECK(r["vendor"].is_boolean(), where << ".vendor must be true or false");
    row.vendor = r["vendor"].get<bool>();
  } else {
    row.vendor = row.variant == row.vendor_variant;
  }
  return row;
}

}  // namespace

BenchResults read_bench_json(const std::string& path) {
  json doc;
  try {
    doc = config::read_json_file(path, "benchmark results", std::uint64_t(1) << 30);
  } catch (const Error& e) {
    throw Error(std::string("bench chart: ") + e.what());
  }
  const json& j = doc.is_object() && doc.contains("kernel_bench") ? doc["kernel_bench"] : doc;
  CONVLAB_CHECK(j.is_object() && j.contains("rows") && j["rows"].is_array(),
                "bench chart: " << path << " must be an object with a \"rows\" array (or a \"kernel_bench\" part)");
  BenchResults b;
  if (doc.contains("device") && doc["device"].is_string()) b.device = doc["device"].get<std::string>();
  if (b.device.empty() && j.contains("devices") && j["devices"].is_array())
    for (const json& d : j["devices"])
      if (d.is_object() && d.value("device", "") == "cuda" && d.contains("name") && d["name"].is_string())
        b.device = d["name"].get<std::string>();
  for (size_t i = 0; i < j["rows"].size(); ++i) {
    const json& r = j["rows"][i];
    if (r.is_object() && r.contains("error")) {
      ++b.rows_left_out;
      continue;
    }
    b.rows.push_back(bench_row(r, "bench chart: " + path + ": rows[" + std::to_string(i) + "]"));
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
  // Log axis with room above the tallest bar for its label, and 1 always in view.
  double lo = 1.0, hi = 1.0;
  for (const auto& kv : t.value) {
    lo = std::min(lo, kv.second);
    hi = std::max(hi, kv.second);
  }
  os << "set yrange [" << lo / 1.5 << ":" << hi * 2.5 << "]\n";
  for (size_t c = 0; c < n; ++c)
    os << (c == 0 ? "plot " : ", ") << "$" << name << " using " << c + 2 << (c == 0 ? ":xtic(1)" : "") << " title "
       << gnuplot_quote(t.variants[c]);
  for (size_t c = 0; c < n; ++c)
    os << ", $" << name << " using ($0 + (" << c << " - " << (n - 1) / 2.0 << ") / " << n + 1 << ".0):" << c + 2
       << ":(sprintf(\"" << value_format << "\", $" << c + 2 << ")) with labels offset 0,0.8 font \",9\" notitle";
  os << "\n";
}

}  // namespace

std::string bench_chart_script(const BenchResults& bench, const std::string& out_png, const BenchFilter& filter) {
  std::vector<const BenchRow*> rows;
  bool several_devices = false;
  for (const BenchRow& r : bench.rows) {
    if (!filter.device.empty() && r.device != filter.device) continue;
    if (!filter.op.empty() && r.op.compare(0, filter.op.size(), filter.op) != 0) continue;
    if (!rows.empty() && r.device != rows.front()->device) several_devices = true;
    rows.push_back(&r);
  }
  auto group_of = [&](const BenchRow& r) {
    std::string g = r.op;
    if (several_devices && !r.device.empty()) g += " [" + r.device + "]";
    return r.shape.empty() ? g : g + " " + r.shape;
  };
  std::map<std::string, std::map<std::string, double>> ms;  // group -> variant -> ms
  for (const BenchRow* r : rows) ms[group_of(*r)][r->variant] = r->median_ms;
  Table speedup, vs_vendor;
  std::string vendor_names;
  for (const BenchRow* r : rows) {
    if (r->vendor) continue;
    const std::string group = group_of(*r);
    const auto& m = ms[group];
    if (!r->baseline.empty() && r->variant != r->baseline && m.count(r->baseline))
      speedup.put(group, r->variant + " vs " + r->baseline, m.at(r->baseline) / r->median_ms);
    if (m.count(r->vendor_variant)) {
      vs_vendor.put(group, r->variant, r->median_ms / m.at(r->vendor_variant));
      if (vendor_names.find(r->vendor_variant) == std::string::npos)
        vendor_names += (vendor_names.empty() ? "" : "/") + r->vendor_variant;
    }
  }
  CONVLAB_CHECK(!speedup.groups.empty() || !vs_vendor.groups.empty(),
                "bench chart: of " << rows.size()
                                   << " selected rows, none has its baseline variant or a vendor "
                                      "row in its (device, op, shape) group");
  const int panels = (speedup.groups.empty() ? 0 : 1) + (vs_vendor.groups.empty() ? 0 : 1);
  const size_t clusters = std::max(speedup.groups.size(), vs_vendor.groups.size());
  const size_t bars = std::max(speedup.variants.size(), vs_vendor.variants.size());
  const int width = static_cast<int>(std::max<size_t>(1200, 300 + clusters * (bars + 1) * 28));
  std::ostringstream os;
  os << gnuplot_png_preamble(out_png, width, 520 * panels);
  write_table(os, "speedup", speedup);
  write_table(os, "vendor", vs_vendor);
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
  if (!vs_vendor.groups.empty()) {
    os << "set title " << gnuplot_quote("Time relative to " + vendor_names + on + " (1 = as fast, lower is better)")
       << "\nset ylabel " << gnuplot_quote("time / " + vendor_names + " time") << "\n";
    plot_table(os, "vendor", vs_vendor, "%.2f");
  }
  os << "unset multiplot\n";
  return os.str();
}

void plot_bench(const BenchResults& bench, const std::string& out_png, const BenchFilter& filter) {
  run_gnuplot(bench_chart_script(bench, out_png, filter), out_png);
}

}  // namespace convlab
