// The benchmark's timing statistics, work counts, measurement loop and
// derived ratios, on known inputs.
#include <gtest/gtest.h>

#include "bench/harness.h"
#include "bench/report.h"
#include "bench/stats.h"
#include "bench/work.h"

namespace convlab::bench {
namespace {

TEST(BenchStats, OddCountMedianQuartilesAndExtremes) {
  const Summary s = summarize({5.0, 1.0, 3.0, 2.0, 4.0});
  EXPECT_EQ(s.n, 5);
  EXPECT_DOUBLE_EQ(s.median, 3.0);
  EXPECT_DOUBLE_EQ(s.q1, 2.0);
  EXPECT_DOUBLE_EQ(s.q3, 4.0);
  EXPECT_DOUBLE_EQ(s.iqr(), 2.0);
  EXPECT_DOUBLE_EQ(s.min, 1.0);
  EXPECT_DOUBLE_EQ(s.max, 5.0);
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
}

TEST(BenchStats, EvenCountInterpolatesAsNumpy) {
  // np.percentile([1, 2, 3, 10], [25, 50, 75]) == [1.75, 2.5, 4.75]
  const Summary s = summarize({10.0, 3.0, 1.0, 2.0});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.q1, 1.75);
  EXPECT_DOUBLE_EQ(s.q3, 4.75);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
}

TEST(BenchStats, SingleSampleAndErrors) {
  const Summary s = summarize({0.25});
  EXPECT_DOUBLE_EQ(s.median, 0.25);
  EXPECT_DOUBLE_EQ(s.iqr(), 0.0);
  EXPECT_THROW(summarize({}), Error);
  EXPECT_THROW(quantile_sorted({1.0, 2.0}, 1.5), Error);
}

TEST(BenchWork, ConvFlopsOfKnownShapes) {
  // Notebook conv: x (100,3,31,31), w (25,3,3,3), stride 2, pad 1 -> 16x16 outputs.
  const ConvDims notebook = conv_dims(Shape{100, 3, 31, 31}, Shape{25, 3, 3, 3}, ConvParam{2, 1});
  EXPECT_EQ(notebook.Hout, 16);
  EXPECT_DOUBLE_EQ(conv_forward_flops(notebook), 2.0 * 100 * 25 * 3 * 9 * 256);
  EXPECT_DOUBLE_EQ(conv_forward_flops(notebook), 34560000.0);
  EXPECT_DOUBLE_EQ(conv_backward_flops(notebook), 69120000.0);
  // ThreeLayerConvNet conv at batch 50: 7x7, pad 3 keeps 32x32.
  EXPECT_DOUBLE_EQ(conv_forward_flops(conv_dims(Shape{50, 3, 32, 32}, Shape{32, 3, 7, 7}, ConvParam{1, 3})),
                   481689600.0);
  // The large conv: N=128, C=F=64, 32x32, 3x3 pad 1.
  EXPECT_DOUBLE_EQ(conv_forward_flops(conv_dims(Shape{128, 64, 32, 32}, Shape{64, 64, 3, 3}, ConvParam{1, 1})),
                   9663676416.0);
}

TEST(BenchWork, AffineFlopsAndMemoryBytes) {
  EXPECT_DOUBLE_EQ(affine_forward_flops(50, 8192, 100), 81920000.0);
  EXPECT_DOUBLE_EQ(affine_backward_flops(50, 8192, 100), 163840000.0);
  // Pool x (100,3,32,32) -> (100,3,16,16): forward reads x, writes out (float32).
  EXPECT_DOUBLE_EQ(pool_forward_bytes(307200, 76800), 1536000.0);
  EXPECT_DOUBLE_EQ(pool_backward_bytes(307200, 76800), 4.0 * (2 * 307200 + 76800));
  EXPECT_DOUBLE_EQ(elementwise_forward_bytes(1000), 8000.0);
  // Adam over n values: reads w, dw, m, v; writes w, m, v.
  EXPECT_DOUBLE_EQ(optim_bytes(1000, 2), 28000.0);
  EXPECT_DOUBLE_EQ(optim_bytes(1000, 0), 12000.0);
}

TEST(BenchHarness, RotationSetsCoverTwiceTheCache) {
  const std::size_t MB = 1 << 20;
  EXPECT_EQ(rotation_sets(10 * MB, 50 * MB, 16), 10);
  EXPECT_EQ(rotation_sets(1024 * MB, 50 * MB, 16), 2);
  EXPECT_EQ(rotation_sets(1024, 50 * MB, 16), 16);
  EXPECT_EQ(rotation_sets(1024, 50 * MB, 8), 8);
}

// A timer that reports scripted durations instead of reading a clock.
class ScriptedTimer : public Timer {
 public:
  explicit ScriptedTimer(std::vector<double> ms) : ms_(std::move(ms)) {}
  double time_ms(const std::function<void()>& fn) override {
    fn();
    const double v = ms_[std::min(calls_, ms_.size() - 1)];
    ++calls_;
    return v;
  }
  std::size_t calls() const { return calls_; }

 private:
  std::vector<double> ms_;
  std::size_t calls_ = 0;
};

TEST(BenchHarness, MeasureRotatesSetsAndPreparesEachRun) {
  std::vector<int> prepared, ran;
  PassSpec pass{"fwd", [&](int i) { prepared.push_back(i); }, [&](int i) { ran.push_back(i); }};
  // Warm-up 2 runs of 1 ms, then 6 timed runs.
  ScriptedTimer timer({1, 1, 4, 2, 6, 1, 3, 5});
  MeasureConfig cfg;
  cfg.warmup = 2;
  cfg.reps = 6;
  const Measurement m = measure(pass, timer, 3, cfg);
  EXPECT_EQ(timer.calls(), 8u);
  EXPECT_EQ(m.reps, 6);
  EXPECT_FALSE(m.reduced);
  EXPECT_EQ(m.sets, 3);
  EXPECT_EQ(prepared, ran);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 0, 1, 2, 0, 1, 2}));
  EXPECT_DOUBLE_EQ(m.ms.median, 3.5);  // of 4 2 6 1 3 5
  EXPECT_DOUBLE_EQ(m.ms.min, 1.0);
  EXPECT_DOUBLE_EQ(m.ms.max, 6.0);
}

TEST(BenchHarness, BudgetCutsRepsOfSlowPassesButNotBelowMinimum) {
  PassSpec pass{"bwd", {}, [](int) {}};
  MeasureConfig cfg;
  cfg.warmup = 1;
  cfg.reps = 20;
  cfg.min_reps = 3;
  cfg.budget_s = 1.0;
  {
    ScriptedTimer timer({200});  // 200 ms a run: 5 fit in 1 s
    const Measurement m = measure(pass, timer, 4, cfg);
    EXPECT_EQ(m.reps, 5);
    EXPECT_TRUE(m.reduced);
    EXPECT_EQ(m.sets, 1);  // slower than slow_ms: no rotation
    EXPECT_EQ(timer.calls(), 6u);
  }
  {
    ScriptedTimer timer({2000});  // none fit: the minimum
    const Measurement m = measure(pass, timer, 4, cfg);
    EXPECT_EQ(m.reps, 3);
    EXPECT_TRUE(m.reduced);
  }
  {
    ScriptedTimer timer({0.01});
    const Measurement m = measure(pass, timer, 4, cfg);
    EXPECT_EQ(m.reps, 20);
    EXPECT_FALSE(m.reduced);
    EXPECT_EQ(m.sets, 4);
  }
}

Row timed_row(const std::string& device, const std::string& variant, double ms, bool vendor = false) {
  Row r;
  r.op = "conv";
  r.pass = "fwd";
  r.group = "seed";
  r.shape = "x(1,1,4,4) w(1,1,3,3) s1 p1";
  r.device = device;
  r.variant = variant;
  r.vendor = vendor;
  r.work.flops = 2e6;
  r.work.bytes = 1e6;
  r.m.ms = summarize({ms});
  return r;
}

TEST(BenchReport, RatesPeakFractionAndSpeedups) {
  std::vector<Row> rows{timed_row("cpu", "reference", 100), timed_row("cpu", "fast", 10), timed_row("cuda", "naive", 2),
                        timed_row("cuda", "gemm", 0.5), timed_row("cuda", "cudnn", 0.25, true)};
  Peaks cuda_peak;
  cuda_peak.gflops = 40;
  derive_ratios(rows, {{"cuda", cuda_peak}});
  const Row& fast = rows[1];
  EXPECT_EQ(fast.unit, "GFLOP/s");
  EXPECT_DOUBLE_EQ(fast.rate, 0.2);  // 2e6 FLOP in 10 ms
  EXPECT_FALSE(fast.peak_fraction.has_value());
  EXPECT_DOUBLE_EQ(*fast.vs_baseline, 10.0);
  EXPECT_DOUBLE_EQ(*fast.vs_cpu_reference, 10.0);
  EXPECT_FALSE(fast.vs_vendor.has_value());
  const Row& gemm = rows[3];
  EXPECT_DOUBLE_EQ(gemm.rate, 4.0);
  EXPECT_DOUBLE_EQ(*gemm.peak_fraction, 0.1);
  EXPECT_DOUBLE_EQ(*gemm.vs_baseline, 4.0);
  EXPECT_DOUBLE_EQ(*gemm.vs_cpu_reference, 200.0);
  EXPECT_DOUBLE_EQ(*gemm.vs_vendor, 0.5);
  EXPECT_EQ(gemm.vendor_name, "cudnn");
  EXPECT_FALSE(rows[4].vs_baseline.has_value());
}

TEST(BenchReport, MemoryBoundRowsUseBytesAndOtherCasesDoNotMix) {
  Row a = timed_row("cpu", "reference", 4);
  a.work.flops = 0;
  Row b = timed_row("cpu", "fast", 1);
  b.work.flops = 0;
  b.group = "large";  // same op and shape string, another case: no baseline
  std::vector<Row> rows{a, b};
  derive_ratios(rows, {});
  EXPECT_EQ(rows[0].unit, "GB/s");
  EXPECT_DOUBLE_EQ(rows[0].rate, 0.25);  // 1e6 bytes in 4 ms
  EXPECT_FALSE(rows[1].vs_baseline.has_value());
}

}  // namespace
}  // namespace convlab::bench
