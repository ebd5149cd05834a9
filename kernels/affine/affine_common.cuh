// Host code shared by the CUDA variants of affine (host/ops/affine/affine.h):
// argument checks, output allocation and dtype dispatch around each launcher.
#pragma once
#include "host/ops/affine/affine.h"

namespace convlab::cuda {

// Host drivers shared by the variants: check, allocate, then call the
// variant's launcher with typed device pointers, launch(x, w, b, N, D, M, out)
// and launch(dout, x, w, N, D, M, dx, dw, db) with dx null when the caller
// needs no input gradient.
template <class Launch>
Forward<AffineCache> affine_forward_run(const Tensor& x, const Tensor& w, const Tensor& b, Launch&& launch) {
  const AffineDims d = affine_check_forward(x, w, b, Device::cuda);
  Tensor out({d.N, d.M}, x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "affine_forward", [&](auto zero) {
    using T = decltype(zero);
    launch(x.data<T>(), w.data<T>(), b.data<T>(), d.N, d.D, d.M, out.data<T>());
  });
  return {out, AffineCache{x, w, b}};
}

template <class Launch>
Grads affine_backward_run(const Tensor& dout, const AffineCache& cache, bool need_dx, Launch&& launch) {
  const AffineDims d = affine_check_backward(dout, cache, Device::cuda);
  Grads g{need_dx ? Tensor(cache.x.shape(), dout.dtype(), Device::cuda) : Tensor(),
          Tensor(cache.w.shape(), dout.dtype(), Device::cuda), Tensor(cache.b.shape(), dout.dtype(), Device::cuda)};
  dispatch_floating(dout.dtype(), "affine_backward", [&](auto zero) {
    using T = decltype(zero);
    launch(dout.data<T>(), cache.x.data<T>(), cache.w.data<T>(), d.N, d.D, d.M, need_dx ? g.dx.data<T>() : nullptr,
           g.dw.data<T>(), g.db.data<T>());
  });
  return g;
}

}  // namespace convlab::cuda
