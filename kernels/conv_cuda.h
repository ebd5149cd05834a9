// CUDA variants of conv (see host/ops/conv.h): "naive" (one thread per
// output element), "tiled" (shared-memory direct convolution) and "gemm"
// (im2col + cuBLAS).
#pragma once
#include "host/ops/conv.h"

namespace convlab::cuda {

Forward<ConvCache> conv_forward_naive(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads3 conv_backward_naive(const Tensor& dout, const ConvCache& cache);
Forward<ConvCache> conv_forward_tiled(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads3 conv_backward_tiled(const Tensor& dout, const ConvCache& cache);
Forward<ConvCache> conv_forward_gemm(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads3 conv_backward_gemm(const Tensor& dout, const ConvCache& cache);

// Shared checks of the CUDA variants: inputs on the GPU, one float dtype, valid shapes.
ConvDims conv_check_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
ConvDims conv_check_backward(const Tensor& dout, const ConvCache& cache);

// The gradients' tensors (dx, dw, db) for a cache, allocated on the GPU.
Grads3 conv_alloc_grads(const ConvCache& cache);

}  // namespace convlab::cuda
