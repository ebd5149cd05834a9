// Rows of the kernel benchmark, the ratios derived between them, and their
// output: a table on stdout and a JSON document (schema in bench/README.md).
#pragma once
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/harness.h"

namespace convlab::bench {

struct Row {
  std::string op, pass, variant, device, group, shape;
  std::map<std::string, int64_t> dims;
  bool vendor = false;  // a cuDNN / cuBLAS baseline, not a convlab variant
  Measurement m;
  Work work;
  std::string error;  // non-empty: the variant failed at this shape; no timing
  // Derived by derive_ratios().
  double rate = 0;   // GFLOP/s when work.flops > 0, else GB/s
  std::string unit;  // "GFLOP/s" or "GB/s"
  std::optional<double> peak_fraction, vs_baseline, vs_cpu_reference, vs_vendor;
  std::string baseline, vendor_name;
};

// The variant a device's rows are compared with: naive on CUDA, reference on the CPU.
const char* baseline_variant(const std::string& device);

// Fills rate, unit, peak fraction and the speedups. Speedups are
// time(other) / time(row): above 1 the row is faster. vs_vendor compares a
// convlab CUDA row with the vendor row of the same case and pass
// (bwd_alt with the vendor's bwd).
void derive_ratios(std::vector<Row>& rows, const std::map<std::string, Peaks>& peaks);

void print_table(std::ostream& os, const std::vector<Row>& rows);
nlohmann::json row_json(const Row& r);
nlohmann::json peaks_json(const Peaks& p);

// UTC now as 2026-01-31T12:34:56Z.
std::string utc_timestamp();

}  // namespace convlab::bench
