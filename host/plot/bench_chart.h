// Benchmark chart from a bench JSON file. Two row formats are read:
//
// - convlab's kernel benchmark (schema "convlab-kernel-bench/1", alone or as
//   the "kernel_bench" part of a bench/results file): rows with "op", "pass",
//   "variant", "device", "shape", "ms": {"median"}, "baseline_variant",
//   "vendor" (bool), "vendor_variant"; rows with "error" are left out.
// - a plain list: {"device": "...", "rows": [{"op", "variant", "shape",
//   "median_ms", "baseline" (default "naive"), "vendor_variant" (default
//   "cudnn")}]}.
//
// Rows with the same device, op (+ pass) and shape form a group. Top panel:
// speedup of each variant over its baseline variant of the group,
// baseline_ms / median_ms. Bottom panel: time of each non-vendor variant
// relative to the vendor library's row of the group (cuDNN, cuBLAS),
// median_ms / vendor_ms (1 = as fast; log axis).
#pragma once
#include <string>
#include <vector>

namespace convlab {

struct BenchRow {
  std::string op;  // with the pass when there is one, e.g. "conv fwd"
  std::string variant;
  std::string device;  // "" when not given
  std::string shape;
  double median_ms = 0;
  std::string baseline = "naive";  // "" when the row has none
  std::string vendor_variant = "cudnn";
  bool vendor = false;  // the row is the vendor library's
};

struct BenchResults {
  std::string device;  // for the title; "" when unknown
  std::vector<BenchRow> rows;
  int rows_left_out = 0;  // rows that reported an error
};

// Throws convlab::Error naming the file, the row and the field at fault.
BenchResults read_bench_json(const std::string& path);

// Which rows to draw: empty fields match everything.
struct BenchFilter {
  std::string device;  // "cuda", "cpu"
  std::string op;      // rows whose op starts with this, e.g. "conv"
};

// The gnuplot script of the chart (data inline). Throws when no row has
// anything to compare against.
std::string bench_chart_script(const BenchResults& bench, const std::string& out_png, const BenchFilter& filter = {});

// Draws the chart with gnuplot; throws convlab::Error without gnuplot.
void plot_bench(const BenchResults& bench, const std::string& out_png, const BenchFilter& filter = {});

}  // namespace convlab
