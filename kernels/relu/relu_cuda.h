// CUDA variant of relu ("naive": one thread per element, which is already
// bandwidth-bound and coalesced).
#pragma once
#include "host/ops/relu/relu.h"

namespace convlab::cuda {

Forward<ReluCache> relu_forward_naive(const Tensor& x);
Tensor relu_backward_naive(const Tensor& dout, const ReluCache& cache);

}  // namespace convlab::cuda
