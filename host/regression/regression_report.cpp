#include "host/regression/regression_report.h"

#include <charconv>
#include <cstdio>
#include <ostream>

#include "host/regression/metrics.h"

namespace convlab {

SplitMetrics evaluate_split(const LinearModel& m, const Tensor& X, const Tensor& y) {
  SplitMetrics s;
  s.n = X.dim(0);
  if (s.n == 0) return s;
  const Tensor p = m.predict(X);
  s.mae = mean_absolute_error(p, y);
  s.mse = mean_squared_error(p, y);
  return s;
}

nlohmann::json split_json(const SplitMetrics& s) { return {{"n", s.n}, {"mae", s.mae}, {"mse", s.mse}}; }

std::string shortest_repr(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

void print_regression_metrics(const std::string& model_type, const LinearModel& m, const RegressionMetrics& r,
                              std::ostream& out) {
  out << model_type << ": bias " << shortest_repr(m.b) << ", " << m.w.size() << " weights\n";
  // Columns of fixed width with at least two spaces between them; a value too
  // wide for its column (a diverged fit) widens the row but never runs into
  // its neighbour.
  out << "split          n   mean abs error    mean sq error\n";
  const std::pair<const char*, const SplitMetrics*> rows[] = {{"train", &r.train}, {"val", &r.val}, {"test", &r.test}};
  char line[128];
  for (const auto& [name, s] : rows) {
    if (s->n == 0) continue;
    std::snprintf(line, sizeof line, "%-5s  %9lld  %15.10g  %15.10g\n", name, static_cast<long long>(s->n), s->mae,
                  s->mse);
    out << line;
  }
  out << "Training error: " << shortest_repr(r.train.mae) << "\n";
  if (r.val.n) out << "Validation error: " << shortest_repr(r.val.mae) << "\n";
  out << "Test error: " << shortest_repr(r.test.mae) << "\n";
}

}  // namespace convlab
