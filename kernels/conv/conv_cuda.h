// CUDA variants of conv (see host/ops/conv/conv.h): "naive" (one thread per
// output element), "tiled" (shared-memory direct convolution) and "gemm"
// (im2col + cuBLAS).
#pragma once
#include "host/ops/conv/conv.h"

namespace convlab::cuda {

Forward<ConvCache> conv_forward_naive(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_backward_naive(const Tensor& dout, const ConvCache& cache, bool need_dx);
Forward<ConvCache> conv_forward_tiled(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_backward_tiled(const Tensor& dout, const ConvCache& cache, bool need_dx);
Forward<ConvCache> conv_forward_gemm(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads conv_backward_gemm(const Tensor& dout, const ConvCache& cache, bool need_dx);

// Shared checks of the CUDA variants: inputs on the GPU, one float dtype, valid shapes.
ConvDims conv_check_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
ConvDims conv_check_backward(const Tensor& dout, const ConvCache& cache);

// The gradients' tensors (dx, dw, db) for a cache, allocated on the GPU;
// dx left undefined unless need_dx.
Grads conv_alloc_grads(const ConvCache& cache, bool need_dx);

// Host drivers shared by the variants: check the arguments, allocate the
// results, then call the variant's launcher with typed device pointers,
// launch(x, w, b, d, out) and launch(dout, x, w, d, dx, dw, db) with dx
// null when the caller needs no input gradient.
template <class Launch>
Forward<ConvCache> conv_forward_run(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param,
                                    Launch&& launch) {
  const ConvDims d = conv_check_forward(x, w, b, param);
  Tensor out({d.N, d.F, d.Hout, d.Wout}, x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "conv_forward", [&](auto zero) {
    using T = decltype(zero);
    launch(x.data<T>(), w.data<T>(), b.data<T>(), d, out.data<T>());
  });
  return {out, ConvCache{x, w, b, param}};
}

template <class Launch>
Grads conv_backward_run(const Tensor& dout, const ConvCache& cache, bool need_dx, Launch&& launch) {
  const ConvDims d = conv_check_backward(dout, cache);
  Grads g = conv_alloc_grads(cache, need_dx);
  dispatch_floating(dout.dtype(), "conv_backward", [&](auto zero) {
    using T = decltype(zero);
    launch(dout.data<T>(), cache.x.data<T>(), cache.w.data<T>(), d, need_dx ? g.dx.data<T>() : nullptr,
           g.dw.data<T>(), g.db.data<T>());
  });
  return g;
}

}  // namespace convlab::cuda
