#include "host/regression/regression_report.h"

#include <charconv>
#include <iomanip>
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
  const auto flags = out.flags();
  const auto prec = out.precision();
  out << model_type << ": bias " << shortest_repr(m.b) << ", " << m.w.size() << " weights\n";
  out << "split      n   mean abs error   mean sq error\n";
  const std::pair<const char*, const SplitMetrics*> rows[] = {{"train", &r.train}, {"val", &r.val}, {"test", &r.test}};
  for (const auto& [name, s] : rows) {
    if (s->n == 0) continue;
    out << std::left << std::setw(6) << name << std::right << std::setw(6) << s->n << std::fixed
        << std::setprecision(10) << std::setw(17) << s->mae << std::setw(16) << s->mse << "\n";
    out.flags(flags);
  }
  out.precision(prec);
  out << "Training error: " << shortest_repr(r.train.mae) << "\n";
  if (r.val.n) out << "Validation error: " << shortest_repr(r.val.mae) << "\n";
  out << "Test error: " << shortest_repr(r.test.mae) << "\n";
}

}  // namespace convlab
