// CUDA variant of dropout ("naive": one thread per element, the mask drawn
// from the same counter-based generator as the CPU reference).
#pragma once
#include "host/ops/dropout/dropout.h"

namespace convlab::cuda {

Forward<DropoutCache> dropout_forward_naive(const Tensor& x, const DropoutParam& param);
Tensor dropout_backward_naive(const Tensor& dout, const DropoutCache& cache);

}  // namespace convlab::cuda
