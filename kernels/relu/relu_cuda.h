// CUDA variants of the elementwise ops relu and dropout ("naive": one
// thread per element, which is already bandwidth-bound and coalesced).
#pragma once
#include "host/ops/dropout.h"
#include "host/ops/relu.h"

namespace convlab::cuda {

Forward<ReluCache> relu_forward_naive(const Tensor& x);
Tensor relu_backward_naive(const Tensor& dout, const ReluCache& cache);

Forward<DropoutCache> dropout_forward_naive(const Tensor& x, const DropoutParam& param);
Tensor dropout_backward_naive(const Tensor& dout, const DropoutCache& cache);

}  // namespace convlab::cuda
