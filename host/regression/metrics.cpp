#include "host/regression/metrics.h"

#include <cmath>
#include <vector>

#include "host/regression/linear_model.h"

namespace convlab {
namespace {

template <class F>
double mean_of(const char* op, const Tensor& pred, const Tensor& y, F f) {
  CONVLAB_CHECK(pred.ndim() >= 1 && pred.dim(0) > 0,
                op << ": expected a non-empty prediction, got " << shape_str(pred.shape()));
  const std::vector<double> p = regression_targets(op, pred, pred.dim(0));
  const std::vector<double> t = regression_targets(op, y, pred.dim(0));
  double s = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) s += f(p[i] - t[i]);
  return s / static_cast<double>(p.size());
}

}  // namespace

double mean_absolute_error(const Tensor& pred, const Tensor& y) {
  return mean_of("mean_absolute_error", pred, y, [](double r) { return std::abs(r); });
}

double mean_squared_error(const Tensor& pred, const Tensor& y) {
  return mean_of("mean_squared_error", pred, y, [](double r) { return r * r; });
}

}  // namespace convlab
