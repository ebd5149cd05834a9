// Benchmark chart from a bench JSON file:
//   {"device": "NVIDIA H100 ...",            (optional, shown in the title)
//    "rows": [{"op": "conv_forward", "variant": "gemm", "shape": "N=50 C=3 H=32 W=32 F=32 k=7",
//              "median_ms": 0.21, "baseline": "naive"}, ...]}
// Rows with the same op and shape form a group. "baseline" (optional,
// default "naive") names the variant of the group a row's speedup is
// measured against; the variant "cudnn" is the cuDNN reference.
// Top panel: speedup of each fast variant (neither its baseline nor cudnn)
// over its baseline, baseline_ms / median_ms. Bottom panel: time of each
// variant relative to cuDNN, median_ms / cudnn_ms (log axis), for groups
// that have a cudnn row.
#pragma once
#include <string>
#include <vector>

namespace convlab {

struct BenchRow {
  std::string op, variant, shape;
  double median_ms = 0;
  std::string baseline = "naive";
};

struct BenchResults {
  std::string device;
  std::vector<BenchRow> rows;
};

// Throws convlab::Error naming the file, the row and the field at fault.
BenchResults read_bench_json(const std::string& path);

// The gnuplot script of the chart (data inline).
std::string bench_chart_script(const BenchResults& bench, const std::string& out_png);

// Draws the chart with gnuplot; throws convlab::Error without gnuplot or
// when no row has anything to compare against.
void plot_bench(const BenchResults& bench, const std::string& out_png);

}  // namespace convlab
