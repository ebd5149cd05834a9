// CUDA variants of affine (see host/ops/affine.h): "naive" and "cublas".
#pragma once
#include "host/ops/affine.h"

namespace convlab::cuda {

Forward<AffineCache> affine_forward_naive(const Tensor& x, const Tensor& w, const Tensor& b);
Grads3 affine_backward_naive(const Tensor& dout, const AffineCache& cache);
Forward<AffineCache> affine_forward_cublas(const Tensor& x, const Tensor& w, const Tensor& b);
Grads3 affine_backward_cublas(const Tensor& dout, const AffineCache& cache);

// Shared checks of the CUDA variants: inputs on the GPU, one float dtype, valid shapes.
AffineDims affine_check_forward(const Tensor& x, const Tensor& w, const Tensor& b);
AffineDims affine_check_backward(const Tensor& dout, const AffineCache& cache);

}  // namespace convlab::cuda
