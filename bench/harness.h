// The benchmark harness: cases (one op at one shape), their timed passes,
// the per-device timer, and the measurement loop (warm-up, repetitions,
// rotation among several input sets, a time budget for slow variants).
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/stats.h"
#include "bench/work.h"
#include "host/tensor.h"

namespace convlab::bench {

// One timed pass of an instance. prepare(i) runs untimed before each timed
// run(i) on input set i (e.g. a forward pass whose cache the backward needs,
// or freeing the previous result); either may be left empty except run.
struct PassSpec {
  std::string pass;  // fwd, bwd, bwd_alt, fwd+bwd, step
  std::function<void(int)> prepare;
  std::function<void(int)> run;
};

// A variant (or a vendor baseline) made ready to time at one case's shape,
// over `sets` rotated input sets.
struct Instance {
  std::vector<PassSpec> passes;
};

// A vendor library's version of a case (cuDNN, cuBLAS), CUDA only.
struct VendorBaseline {
  std::string name;  // shows as the row's variant
  std::function<Instance(int sets)> make;
};

// One op at one shape. make(device, variant, sets) builds every input set on
// the device; `dims` names the shape's numbers (also written to the JSON).
struct Case {
  std::string op;
  std::string group;  // seed, tlc50, fc128, large, ...
  std::string shape;  // readable, e.g. "x(100,3,31,31) w(25,3,3,3) s2 p1"
  std::map<std::string, int64_t> dims;
  std::size_t set_bytes = 0;         // bytes of one input set (inputs and outputs)
  std::map<std::string, Work> work;  // per pass (fwd, bwd, ...), shared by variants and vendor baselines
  std::function<std::vector<std::string>(Device)> variants;
  std::function<Instance(Device, const std::string& variant, int sets)> make;
  std::vector<VendorBaseline> vendors;
};

// Times a callable on one device: host clock on the CPU, events on CUDA.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual double time_ms(const std::function<void()>& fn) = 0;
};

struct Peaks {
  double gflops = 0;  // SGEMM of a large square, GFLOP/s (0: not measured)
  double gbs = 0;     // best of copy / triad, GB/s (bytes read + written)
  double copy_gbs = 0, triad_gbs = 0;
  std::string gflops_how, gbs_how;
};

// What the harness needs of a device.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Device device() const = 0;
  virtual std::string name() const = 0;         // e.g. "NVIDIA H100 80GB HBM3" or the CPU model
  virtual std::size_t cache_bytes() const = 0;  // last-level cache, for the rotation
  virtual Timer& timer() = 0;
  virtual Peaks measure_peaks() = 0;
};

std::unique_ptr<Backend> make_cpu_backend();
// nullptr (and `why` filled) when convlab was built without CUDA or no GPU is usable.
std::unique_ptr<Backend> make_cuda_backend(std::string& why);

struct MeasureConfig {
  int warmup = 1;
  int reps = 20;
  int min_reps = 3;       // the time budget never cuts below this
  double budget_s = 2.0;  // per pass: fewer reps when reps * first run exceed it
  double slow_ms = 50.0;  // a run this slow needs no rotation: one input set
};

struct Measurement {
  Summary ms;
  int reps = 0, warmup = 0, sets = 0;
  bool reduced = false;  // reps cut by the time budget
};

// Number of input sets so that together they exceed twice the cache
// (at least 2, at most max_sets).
int rotation_sets(std::size_t set_bytes, std::size_t cache_bytes, int max_sets = 16);

// Warm-up, then reps timed runs rotating over `sets` input sets.
Measurement measure(const PassSpec& pass, Timer& timer, int sets, const MeasureConfig& cfg);

// The CPU timer (steady_clock), usable alone by tests.
class CpuTimer : public Timer {
 public:
  double time_ms(const std::function<void()>& fn) override;
};

// The items of a comma-separated command-line list (--variant, --precisions, ...), empty ones dropped.
std::vector<std::string> split(const std::string& s);

}  // namespace convlab::bench
