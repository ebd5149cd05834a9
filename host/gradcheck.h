// Numerical gradients and the notebooks' rel_error, for checking every
// backward pass (CPU reference and GPU kernels alike) in float64.
#pragma once
#include <functional>

#include "host/tensor.h"

namespace convlab {

// max(|x - y| / max(1e-8, |x| + |y|)), exactly as the notebooks define it.
// Both tensors are read on the host; shapes must have the same element count.
double rel_error(const Tensor& x, const Tensor& y);

// Centred-difference gradient of a scalar function f at x (perturbing x in
// place and restoring it): cs231n's eval_numerical_gradient. x must be a CPU tensor.
Tensor eval_numerical_gradient(const std::function<double(const Tensor&)>& f, Tensor& x, double h = 1e-5);

// Gradient of sum(f(x) * df) with respect to x: cs231n's
// eval_numerical_gradient_array. f returns a tensor (on any device).
Tensor eval_numerical_gradient_array(const std::function<Tensor(const Tensor&)>& f, Tensor& x, const Tensor& df,
                                     double h = 1e-5);

}  // namespace convlab
