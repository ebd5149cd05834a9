// convlab_kernel_bench: times every variant of every op in the registry,
// forward and backward, on the CPU (host clock) and CUDA (events), beside
// the cuDNN / cuBLAS baselines, and prints a table (and JSON with --json).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>

#include "bench/cases.h"
#include "bench/report.h"

namespace convlab::bench {
namespace {

bool group_selected(const std::string& group, const std::vector<std::string>& groups) {
  for (const auto& g : groups)
    if (group.rfind(g, 0) == 0) return true;  // "tlc" selects tlc50 and tlc128
  return false;
}

std::string command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.find_first_of(" \t\"'") != std::string::npos) a = "'" + a + "'";
    out += (i ? " " : "") + a;
  }
  return out;
}

struct Options {
  std::string device = "all";
  std::string filter, variant_filter, groups, cpu_groups, json_path, batches = "50,128";
  int reps = 20, warmup = -1, min_reps = 3, max_sets = 8;
  double budget = -1;
  bool no_peaks = false, list = false;
};

struct DeviceRun {
  std::unique_ptr<Backend> backend;
  MeasureConfig cfg;
  std::vector<std::string> groups;
  int max_sets = 8;
  Peaks peaks;
};

Row base_row(const Case& c, const std::string& pass, const std::string& variant, Device dev, bool vendor) {
  Row r;
  r.op = c.op;
  r.pass = pass;
  r.variant = variant;
  r.device = device_name(dev);
  r.group = c.group;
  r.shape = c.shape;
  r.dims = c.dims;
  r.vendor = vendor;
  auto w = c.work.find(pass);
  if (w != c.work.end()) r.work = w->second;
  return r;
}

// Times every pass of one instance; a failure becomes an error row.
void time_instance(const Case& c, const std::string& variant, bool vendor, DeviceRun& run,
                   const std::function<Instance(int)>& make, std::vector<Row>& rows) {
  Backend& b = *run.backend;
  const int sets = rotation_sets(c.set_bytes, b.cache_bytes(), run.max_sets);
  std::cerr << "  " << device_name(b.device()) << " " << variant << std::flush;
  try {
    Instance inst = make(sets);
    for (const auto& pass : inst.passes) {
      Row r = base_row(c, pass.pass, variant, b.device(), vendor);
      try {
        r.m = measure(pass, b.timer(), sets, run.cfg);
      } catch (const std::exception& e) {
        r.error = e.what();
      }
      std::cerr << " " << pass.pass << (r.error.empty() ? "" : "(error)") << std::flush;
      rows.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    Row r = base_row(c, "*", variant, b.device(), vendor);
    r.error = e.what();
    rows.push_back(std::move(r));
    std::cerr << " (error)";
  }
  std::cerr << "\n";
}

int run_main(int argc, char** argv) {
  Options o;
  CLI::App app{"convlab kernel benchmark: every op, every variant, forward and backward"};
  app.add_option("--device", o.device, "cpu, cuda or all (default: all available)")
      ->check(CLI::IsMember({"cpu", "cuda", "all"}));
  app.add_option("--filter", o.filter, "ops to time, comma-separated (e.g. conv,max_pool); default all");
  app.add_option("--variant", o.variant_filter, "variants to time, comma-separated; default all");
  app.add_option("--groups", o.groups,
                 "shape groups, comma-separated prefixes of seed, tlc<B>, fc<B>, ab32_<B> (airbench_cpu), ab64_<B> "
                 "(airbench94), large "
                 "(default: all)");
  app.add_option("--cpu-groups", o.cpu_groups,
                 "shape groups on the CPU, overriding --groups there (default: seed and the first batch's "
                 "tlc/fc groups, to keep the CPU run short)");
  app.add_option("--batches", o.batches, "batch sizes of the tlc/fc groups, comma-separated");
  app.add_option("--reps", o.reps, "timed repetitions per pass")->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup, "untimed runs first (default: 1 on the CPU, 5 on CUDA)");
  app.add_option("--min-reps", o.min_reps, "the time budget never cuts reps below this")->check(CLI::PositiveNumber);
  app.add_option("--budget", o.budget,
                 "seconds per pass and variant: fewer reps (not below --min-reps) for slow ones "
                 "(default: 1 on the CPU, 5 on CUDA)");
  app.add_option("--max-sets", o.max_sets, "most rotated input sets per case")->check(CLI::PositiveNumber);
  app.add_option("--json", o.json_path, "also write the results as JSON to this file");
  app.add_flag("--no-peaks", o.no_peaks, "skip measuring peak bandwidth and FLOP/s");
  app.add_flag("--list", o.list, "list the cases and variants, time nothing");
  CLI11_PARSE(app, argc, argv);

  std::vector<int64_t> batches;
  CONVLAB_CHECK(!split(o.batches).empty(), "bench: --batches needs at least one batch size");
  for (const auto& b : split(o.batches)) {
    int64_t v = 0;
    try {
      std::size_t used = 0;
      v = std::stoll(b, &used);
      if (used != b.size()) v = 0;
    } catch (const std::exception&) {
      v = 0;
    }
    CONVLAB_CHECK(v > 0, "bench: --batches takes positive integers, got '" << b << "'");
    batches.push_back(v);
  }
  const auto ops = split(o.filter);
  const auto variants = split(o.variant_filter);
  std::vector<Case> cases = default_cases(batches);
  {
    std::set<std::string> known;
    for (const auto& c : cases) known.insert(c.op);
    for (const auto& op : ops) {
      if (known.count(op)) continue;
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw Error("bench: --filter: unknown op '" + op + "' (known: " + list + ")");
    }
  }

  std::vector<DeviceRun> runs;
  if (o.device == "cpu" || o.device == "all") {
    DeviceRun r;
    r.backend = make_cpu_backend();
    r.cfg.warmup = o.warmup >= 0 ? o.warmup : 1;
    r.cfg.budget_s = o.budget > 0 ? o.budget : 1.0;
    const std::string first = std::to_string(batches.front());
    r.groups = !o.cpu_groups.empty() ? split(o.cpu_groups)
               : !o.groups.empty()   ? split(o.groups)
                                     : std::vector<std::string>{"seed", "tlc" + first, "fc" + first};
    runs.push_back(std::move(r));
  }
  if (o.device == "cuda" || o.device == "all") {
    std::string why;
    DeviceRun r;
    r.backend = make_cuda_backend(why);
    if (!r.backend) {
      if (o.device == "cuda") throw Error("bench: --device cuda: " + why);
      std::cerr << "bench: skipping CUDA: " << why << "\n";
    } else {
      r.cfg.warmup = o.warmup >= 0 ? o.warmup : 5;
      r.cfg.budget_s = o.budget > 0 ? o.budget : 5.0;
      r.groups = o.groups.empty() ? std::vector<std::string>{"seed", "tlc", "fc", "large"} : split(o.groups);
      runs.push_back(std::move(r));
    }
  }
  for (auto& r : runs) {
    r.cfg.reps = o.reps;
    r.cfg.min_reps = std::min(o.min_reps, o.reps);
    r.max_sets = o.max_sets;
  }

  auto selected = [&](const Case& c, const DeviceRun& r) {
    if (!ops.empty() && std::find(ops.begin(), ops.end(), c.op) == ops.end()) return false;
    return group_selected(c.group, r.groups);
  };
  auto variant_selected = [&](const std::string& v) {
    return variants.empty() || std::find(variants.begin(), variants.end(), v) != variants.end();
  };

  if (o.list) {
    for (const auto& c : cases)
      for (const auto& r : runs) {
        if (!selected(c, r)) continue;
        std::cout << c.op << "  " << c.group << "  " << c.shape << "  " << device_name(r.backend->device()) << ":";
        for (const auto& v : c.variants(r.backend->device())) std::cout << " " << v;
        if (r.backend->device() == Device::cuda)
          for (const auto& v : c.vendors) std::cout << " [" << v.name << "]";
        std::cout << "\n";
      }
    return 0;
  }

  std::map<std::string, Peaks> peaks;
  for (auto& r : runs) {
    const std::string dev = device_name(r.backend->device());
    std::cout << "device " << dev << ": " << r.backend->name() << "\n";
    if (o.no_peaks) continue;
    r.peaks = r.backend->measure_peaks();
    peaks[dev] = r.peaks;
    std::cout << "  peak " << r.peaks.gbs << " GB/s (" << r.peaks.gbs_how << ")\n"
              << "  peak " << r.peaks.gflops << " GFLOP/s (" << r.peaks.gflops_how << ")\n";
  }

  std::vector<Row> rows;
  for (const auto& c : cases) {
    bool any = false;
    for (auto& r : runs) any = any || selected(c, r);
    if (!any) continue;
    std::cerr << c.op << " " << c.group << " " << c.shape << "\n";
    for (auto& r : runs) {
      if (!selected(c, r)) continue;
      const Device dev = r.backend->device();
      for (const auto& v : c.variants(dev)) {
        if (!variant_selected(v)) continue;
        time_instance(
            c, v, false, r, [&](int sets) { return c.make(dev, v, sets); }, rows);
      }
      if (dev == Device::cuda)
        for (const auto& vb : c.vendors)
          if (variant_selected(vb.name)) time_instance(c, vb.name, true, r, vb.make, rows);
    }
  }
  derive_ratios(rows, peaks);
  std::cout << "\n";
  print_table(std::cout, rows);
  std::cout << "\nTimes in ms: median over reps (reps* = cut by the time budget, --budget); IQR = q3 - q1.\n"
               "rate: GFLOP/s for conv/affine, else GB/s of the fewest bytes the pass must move; %peak of the\n"
               "measured peak above. x base: speedup over naive (CUDA) or reference (CPU); x cpu ref: over the\n"
               "CPU reference; x vendor: cuDNN/cuBLAS time over this row's time (above 1: faster than the vendor).\n";

  if (!o.json_path.empty()) {
    nlohmann::json doc;
    doc["schema"] = "convlab-kernel-bench/1";
    doc["date"] = utc_timestamp();
    doc["command"] = command_line(argc, argv);
    doc["devices"] = nlohmann::json::array();
    for (const auto& r : runs) {
      const std::string dev = device_name(r.backend->device());
      doc["devices"].push_back({{"device", dev},
                                {"name", r.backend->name()},
                                {"peak", o.no_peaks ? nlohmann::json(nullptr) : peaks_json(r.peaks)},
                                {"config",
                                 {{"reps", r.cfg.reps},
                                  {"warmup", r.cfg.warmup},
                                  {"min_reps", r.cfg.min_reps},
                                  {"budget_s", r.cfg.budget_s},
                                  {"groups", r.groups}}}});
    }
    doc["rows"] = nlohmann::json::array();
    for (const auto& r : rows) doc["rows"].push_back(row_json(r));
    std::ofstream out(o.json_path);
    CONVLAB_CHECK(out.good(), "bench: cannot write --json file '" << o.json_path << "'");
    out << doc.dump(2) << "\n";
    CONVLAB_CHECK(out.good(), "bench: writing --json file '" << o.json_path << "' failed");
    std::cout << "wrote " << o.json_path << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace convlab::bench

int main(int argc, char** argv) {
  try {
    return convlab::bench::run_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "convlab_kernel_bench: " << e.what() << "\n";
    return 1;
  }
}
