// Host entry point of kernels/solver/l2_penalty.cu (built only with CUDA).
#pragma once
#include "host/tensor.h"

namespace convlab::kernels {

// loss += 0.5 * reg * sum(w^2); dw += reg * w. All on the GPU, float or double.
void l2_penalty_cuda(Tensor& loss, const Tensor& w, Tensor& dw, double reg);

}  // namespace convlab::kernels
