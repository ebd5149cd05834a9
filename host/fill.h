// Seeded, reproducible tensor fills, matching the numpy calls of the notebooks:
// linspace(lo, hi, num).reshape(shape), np.random.randn(*shape) and
// np.random.rand / uniform, drawing from a NumpyRandom.
#pragma once
#include "host/random/numpy_random.h"
#include "host/tensor.h"

namespace convlab {

// np.linspace(lo, hi, num=prod(shape)).reshape(shape)
Tensor linspace(double lo, double hi, Shape shape, DType dtype = DType::f64);
// np.random.randn(*shape) * scale
Tensor randn(NumpyRandom& rng, Shape shape, DType dtype = DType::f64, double scale = 1.0);
// np.random.uniform(lo, hi, size=shape)
Tensor uniform(NumpyRandom& rng, Shape shape, double lo = 0.0, double hi = 1.0, DType dtype = DType::f64);
// np.random.randint(low, high, size=n) as int32 labels
Tensor randint(NumpyRandom& rng, int64_t low, int64_t high, int64_t n);

}  // namespace convlab
