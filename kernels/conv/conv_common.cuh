// Host code shared by the CUDA variants of conv (host/ops/conv/conv.h):
// argument checks, output allocation and dtype dispatch around each launcher.
#pragma once
#include "host/ops/conv/conv.h"

namespace convlab::cuda {

// The gradients' tensors (dx, dw, db) for a cache, allocated on the GPU;
// dx left undefined unless need_dx.
inline Grads conv_alloc_grads(const ConvCache& cache, bool need_dx) {
  const DType dt = cache.x.dtype();
  return Grads{need_dx ? Tensor(cache.x.shape(), dt, Device::cuda) : Tensor(),
               Tensor(cache.w.shape(), dt, Device::cuda), Tensor(cache.b.shape(), dt, Device::cuda)};
}

// Host drivers shared by the variants: check the arguments, allocate the
// results, then call the variant's launcher with typed device pointers,
// launch(x, w, b, d, out) and launch(dout, x, w, d, dx, dw, db) with dx
// null when the caller needs no input gradient.
template <class Launch>
Forward<ConvCache> conv_forward_run(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param,
                                    Launch&& launch) {
  const ConvDims d = conv_check_forward(x, w, b, param, Device::cuda);
  Tensor out({d.N, d.F, d.Hout, d.Wout}, x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "conv_forward", [&](auto zero) {
    using T = decltype(zero);
    launch(x.data<T>(), w.data<T>(), b.data<T>(), d, out.data<T>());
  });
  return {out, ConvCache{x, w, b, param}};
}

template <class Launch>
Grads conv_backward_run(const Tensor& dout, const ConvCache& cache, bool need_dx, Launch&& launch) {
  const ConvDims d = conv_check_backward(dout, cache, Device::cuda);
  Grads g = conv_alloc_grads(cache, need_dx);
  dispatch_floating(dout.dtype(), "conv_backward", [&](auto zero) {
    using T = decltype(zero);
    launch(dout.data<T>(), cache.x.data<T>(), cache.w.data<T>(), d, need_dx ? g.dx.data<T>() : nullptr, g.dw.data<T>(),
           g.db.data<T>());
  });
  return g;
}

}  // namespace convlab::cuda
