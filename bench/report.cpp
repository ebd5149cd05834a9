#include "bench/report.h"

#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <tuple>

namespace convlab::bench {

const char* baseline_variant(const std::string& device) { return device == "cuda" ? "naive" : "reference"; }

namespace {

// The row of the same case (op, group, shape) and pass on `device` with `variant` (any vendor when vendor).
const Row* find_row(const std::vector<Row>& rows, const Row& like, const std::string& pass, const std::string& device,
                    const std::string& variant, bool vendor) {
  for (const auto& r : rows)
    if (r.error.empty() && r.vendor == vendor && r.op == like.op && r.group == like.group && r.shape == like.shape &&
        r.pass == pass && r.device == device && (vendor || r.variant == variant))
      return &r;
  return nullptr;
}

std::string fmt(double v, int prec) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(prec) << v;
  return os.str();
}

// Three significant digits, fixed notation.
std::string sig3(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  const int prec = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : a >= 0.01 ? 4 : 5;
  return fmt(v, prec);
}

std::string opt_ratio(const std::optional<double>& v) { return v ? sig3(*v) + "x" : "-"; }

}  // namespace

void derive_ratios(std::vector<Row>& rows, const std::map<std::string, Peaks>& peaks) {
  for (auto& r : rows) {
    if (!r.error.empty()) continue;
    const double ms = r.m.ms.median;
    const bool flop_bound = r.work.flops > 0;
    r.unit = flop_bound ? "GFLOP/s" : "GB/s";
    r.rate = (flop_bound ? r.work.flops : r.work.bytes) / (ms * 1e6);
    auto p = peaks.find(r.device);
    if (p != peaks.end()) {
      const double peak = flop_bound ? p->second.gflops : p->second.gbs;
      if (peak > 0) r.peak_fraction = r.rate / peak;
    }
  }
  for (auto& r : rows) {
    if (!r.error.empty()) continue;
    const double ms = r.m.ms.median;
    if (!r.vendor) {
      r.baseline = baseline_variant(r.device);
      if (const Row* b = find_row(rows, r, r.pass, r.device, r.baseline, false)) r.vs_baseline = b->m.ms.median / ms;
    }
    if (const Row* c = find_row(rows, r, r.pass, "cpu", "reference", false)) r.vs_cpu_reference = c->m.ms.median / ms;
    if (r.device == "cuda" && !r.vendor) {
      const std::string vpass = r.pass == "bwd_alt" ? "bwd" : r.pass;
      if (const Row* v = find_row(rows, r, vpass, "cuda", "", true)) {
        r.vs_vendor = v->m.ms.median / ms;
        r.vendor_name = v->variant;
      }
    }
  }
}

void print_table(std::ostream& os, const std::vector<Row>& rows) {
  const std::vector<std::string> head{"op",     "pass", "dev",  "variant", "shape",  "median ms", "IQR ms",  "min ms",
                                      "max ms", "reps", "rate", "%peak",   "x base", "x cpu ref", "x vendor"};
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    std::vector<std::string> c{r.op, r.pass, r.device, r.variant, r.shape};
    if (!r.error.empty()) {
      c.push_back("error: " + r.error);
      cells.push_back(c);
      continue;
    }
    c.push_back(sig3(r.m.ms.median));
    c.push_back(sig3(r.m.ms.iqr()));
    c.push_back(sig3(r.m.ms.min));
    c.push_back(sig3(r.m.ms.max));
    c.push_back(std::to_string(r.m.reps) + (r.m.reduced ? "*" : ""));
    c.push_back(sig3(r.rate) + " " + r.unit);
    c.push_back(r.peak_fraction ? fmt(100.0 * *r.peak_fraction, 1) + "%" : "-");
    c.push_back(opt_ratio(r.vs_baseline));
    c.push_back(opt_ratio(r.vs_cpu_reference));
    c.push_back(opt_ratio(r.vs_vendor));
    cells.push_back(c);
  }
  std::vector<std::size_t> width(head.size());
  for (std::size_t i = 0; i < head.size(); ++i) width[i] = head[i].size();
  for (const auto& c : cells)
    for (std::size_t i = 0; i < c.size() && i + 1 < head.size(); ++i) width[i] = std::max(width[i], c[i].size());
  auto line = [&](const std::vector<std::string>& c) {
    for (std::size_t i = 0; i < c.size(); ++i) {
      const bool last = i + 1 == c.size();
      const bool numeric = i >= 5;
      if (last) {
        os << c[i];
      } else if (numeric) {
        os << std::setw(static_cast<int>(width[i])) << std::right << c[i] << "  ";
      } else {
        os << std::setw(static_cast<int>(width[i])) << std::left << c[i] << "  ";
      }
    }
    os << '\n';
  };
  line(head);
  for (const auto& c : cells) line(c);
}

nlohmann::json row_json(const Row& r) {
  using nlohmann::json;
  json j{
      {"op", r.op},       {"pass", r.pass}, {"variant", r.variant}, {"device", r.device},    {"group", r.group},
      {"shape", r.shape}, {"dims", r.dims}, {"vendor", r.vendor},   {"flops", r.work.flops}, {"bytes", r.work.bytes}};
  if (!r.error.empty()) {
    j["error"] = r.error;
    return j;
  }
  const auto& s = r.m.ms;
  j["ms"] = {{"median", s.median}, {"q1", s.q1}, {"q3", s.q3}, {"min", s.min}, {"max", s.max}, {"mean", s.mean}};
  j["reps"] = r.m.reps;
  j["warmup"] = r.m.warmup;
  j["input_sets"] = r.m.sets;
  j["reps_reduced_by_budget"] = r.m.reduced;
  j["rate"] = r.rate;
  j["rate_unit"] = r.unit;
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  j["peak_fraction"] = opt(r.peak_fraction);
  j["speedup_vs_baseline"] = opt(r.vs_baseline);
  j["baseline_variant"] = r.baseline.empty() ? json(nullptr) : json(r.baseline);
  j["speedup_vs_cpu_reference"] = opt(r.vs_cpu_reference);
  j["speedup_vs_vendor"] = opt(r.vs_vendor);
  j["vendor_variant"] = r.vendor_name.empty() ? json(nullptr) : json(r.vendor_name);
  return j;
}

nlohmann::json peaks_json(const Peaks& p) {
  auto pos = [](double v) { return v > 0 ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"gflops", pos(p.gflops)},     {"gflops_how", p.gflops_how},    {"gbs", pos(p.gbs)},
          {"copy_gbs", pos(p.copy_gbs)}, {"triad_gbs", pos(p.triad_gbs)}, {"gbs_how", p.gbs_how}};
}

std::string utc_timestamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace convlab::bench
