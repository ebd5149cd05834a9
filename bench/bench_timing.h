// Timing helpers of the benchmarks: warm-up runs, then the median (and
// minimum) wall time of repeated runs; the machine's description for the
// results files.
#pragma once
#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace convlab::bench {

struct Timing {
  double median_ms = 0, min_ms = 0;
  int reps = 0;
};

// Runs f `warmup` times untimed, then up to `reps` timed times; stops early
// (after at least 3) once the timed runs exceed budget_s seconds.
inline Timing time_it(const std::function<void()>& f, int warmup, int reps, double budget_s) {
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < warmup; ++i) f();
  std::vector<double> ms;
  double total = 0;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = clock::now();
    f();
    const double t = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
    ms.push_back(t);
    total += t;
    if (i + 1 >= 3 && total > budget_s * 1000) break;
  }
  std::sort(ms.begin(), ms.end());
  const std::size_t n = ms.size();
  return {n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]), ms.front(), int(n)};
}

// "model name" from /proc/cpuinfo, or "unknown".
inline std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

inline std::string utc_now_iso() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// The 1, 5 and 15 minute load averages from /proc/loadavg, or "".
inline std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return in ? a + " " + b + " " + c : std::string();
}

inline unsigned online_cpus() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace convlab::bench
