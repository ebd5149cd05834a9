// Host entry point of kernels/tta/tta_views.cu (built only with CUDA).
#pragma once
#include "host/tensor.h"

namespace convlab::kernels {

// out = tta_view(x, flip, dy, dx, mean) (host/ops/tta/tta_views.h); x and out NCHW on the GPU, same shape and
// dtype; mean (C, H, W) of that dtype, or undefined.
void tta_view_cuda(const Tensor& x, const Tensor& mean, Tensor& out, bool flip, int dy, int dx);

}  // namespace convlab::kernels
