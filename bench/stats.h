// Summary statistics of timing samples: median, quartiles (IQR) and extremes.
// Quantiles interpolate linearly between order statistics, as numpy's default
// (np.percentile), so q(0.5) of an even count is the mean of the middle two.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include "host/error.h"

namespace convlab::bench {

struct Summary {
  int n = 0;
  double median = 0, q1 = 0, q3 = 0, min = 0, max = 0, mean = 0;
  double iqr() const { return q3 - q1; }
};

// q in [0, 1] of samples already sorted ascending (non-empty).
inline double quantile_sorted(const std::vector<double>& sorted, double q) {
  CONVLAB_CHECK(!sorted.empty(), "quantile: no samples");
  CONVLAB_CHECK(q >= 0.0 && q <= 1.0, "quantile: q must lie in [0, 1], got " << q);
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

inline Summary summarize(std::vector<double> samples) {
  CONVLAB_CHECK(!samples.empty(), "summarize: no samples");
  std::sort(samples.begin(), samples.end());
  Summary s;
  s.n = static_cast<int>(samples.size());
  s.median = quantile_sorted(samples, 0.5);
  s.q1 = quantile_sorted(samples, 0.25);
  s.q3 = quantile_sorted(samples, 0.75);
  s.min = samples.front();
  s.max = samples.back();
  double sum = 0;
  for (double v : samples) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  return s;
}

}  // namespace convlab::bench
