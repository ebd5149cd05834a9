// Regression metrics over n predictions: mean absolute error and mean
// squared error (plain means; the seed's "training error" is the MAE).
#pragma once
#include "host/tensor.h"

namespace convlab {

// pred, y: shape (n) or (n, 1), float32/float64 CPU tensors with equal n.
double mean_absolute_error(const Tensor& pred, const Tensor& y);
double mean_squared_error(const Tensor& pred, const Tensor& y);

}  // namespace convlab
