#include "bench/harness.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

namespace convlab::bench {

double CpuTimer::time_ms(const std::function<void()>& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

int rotation_sets(std::size_t set_bytes, std::size_t cache_bytes, int max_sets) {
  if (set_bytes == 0) return 2;
  const double need = std::ceil(2.0 * static_cast<double>(cache_bytes) / static_cast<double>(set_bytes));
  return static_cast<int>(std::clamp(need, 2.0, static_cast<double>(std::max(2, max_sets))));
}

Measurement measure(const PassSpec& pass, Timer& timer, int sets, const MeasureConfig& cfg) {
  CONVLAB_CHECK(cfg.reps >= 1, "bench: --reps must be at least 1, got " << cfg.reps);
  CONVLAB_CHECK(sets >= 1, "bench: need at least one input set, got " << sets);
  auto timed = [&](int set) {
    if (pass.prepare) pass.prepare(set);
    return timer.time_ms([&] { pass.run(set); });
  };
  Measurement m;
  m.warmup = std::max(1, cfg.warmup);
  // The first warm-up run also sizes the measurement.
  const double first_ms = timed(0);
  for (int i = 1; i < m.warmup; ++i) timed(i % sets);
  m.reps = cfg.reps;
  const double budget_ms = cfg.budget_s * 1000.0;
  if (first_ms * cfg.reps > budget_ms) {
    const int fit = static_cast<int>(budget_ms / std::max(first_ms, 1e-6));
    const int r = std::max(std::min(cfg.min_reps, cfg.reps), std::min(fit, cfg.reps));
    if (r < cfg.reps) {
      m.reps = r;
      m.reduced = true;
    }
  }
  m.sets = first_ms >= cfg.slow_ms ? 1 : sets;
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(m.reps));
  for (int r = 0; r < m.reps; ++r) samples.push_back(timed(r % m.sets));
  m.ms = summarize(std::move(samples));
  return m;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace convlab::bench
