#include "host/fill.h"

namespace convlab {

Tensor linspace(double lo, double hi, Shape shape, DType dtype) {
  Tensor t(std::move(shape), dtype);
  const int64_t n = t.numel();
  // numpy: step = (hi - lo) / (n - 1); y = arange(n) * step + lo; y[-1] = hi
  const double step = n > 1 ? (hi - lo) / static_cast<double>(n - 1) : 0.0;
  for (int64_t i = 0; i < n; ++i) t.set_item(i, static_cast<double>(i) * step + lo);
  if (n > 1) t.set_item(n - 1, hi);
  return t;
}

Tensor randn(NumpyRandom& rng, Shape shape, DType dtype, double scale) {
  Tensor t(std::move(shape), dtype);
  for (int64_t i = 0; i < t.numel(); ++i) t.set_item(i, scale * rng.randn());
  return t;
}

Tensor uniform(NumpyRandom& rng, Shape shape, double lo, double hi, DType dtype) {
  Tensor t(std::move(shape), dtype);
  for (int64_t i = 0; i < t.numel(); ++i) t.set_item(i, rng.uniform(lo, hi));
  return t;
}

Tensor randint(NumpyRandom& rng, int64_t low, int64_t high, int64_t n) {
  Tensor t({n}, DType::i32);
  for (int64_t i = 0; i < n; ++i) t.set_item(i, static_cast<double>(rng.randint(low, high)));
  return t;
}

}  // namespace convlab
