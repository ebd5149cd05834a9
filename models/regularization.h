// L2 weight penalty, fused: loss += 0.5 * reg * sum(w^2) and dw += reg * w in
// one pass over w (CPU loop, or one kernel in kernels/solver/l2_penalty.cu).
// `loss` is a scalar tensor of w's dtype on w's device, updated in place.
#pragma once
#include "host/tensor.h"

namespace convlab {

void add_l2_penalty(Tensor& loss, const Tensor& w, Tensor& dw, double reg);

}  // namespace convlab
