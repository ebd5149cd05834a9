// Host entry point of kernels/solver/lerp.cu (built only with CUDA).
#pragma once
#include "host/tensor.h"

namespace convlab::kernels {

// a += weight * (b - a), elementwise; a and b on the GPU, same shape, float or double.
void lerp_cuda(Tensor& a, const Tensor& b, double weight);

}  // namespace convlab::kernels
