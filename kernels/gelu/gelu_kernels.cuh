// What the gelu CUDA variants share: the checks and output allocation of
// forward and backward around a launcher for the dtype, so each variant
// (gelu_naive.cu, gelu_vec.cu) only supplies its kernels and launches.
#pragma once
#include "host/ops/gelu/gelu_check.h"

namespace convlab::cuda {

// Checks x (a float tensor on the GPU), allocates out and calls
// launch(x, n, out) with T the dtype's element type.
template <class Launch>
Forward<GeluCache> gelu_forward_cuda(const Tensor& x, Launch&& launch) {
  check_gelu_forward(x, Device::cuda);
  Tensor out(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "gelu_forward", [&](auto zero) {
    using T = decltype(zero);
    launch(x.data<T>(), x.numel(), out.data<T>());
  });
  return {out, GeluCache{x}};
}

// Checks dout against cache.x (same dtype, shape, on the GPU), allocates dx
// and calls launch(x, dout, n, dx).
template <class Launch>
Tensor gelu_backward_cuda(const Tensor& dout, const GeluCache& cache, Launch&& launch) {
  check_gelu_backward(dout, cache, Device::cuda);
  const Tensor& x = cache.x;
  Tensor dx(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "gelu_backward", [&](auto zero) {
    using T = decltype(zero);
    launch(x.data<T>(), dout.data<T>(), x.numel(), dx.data<T>());
  });
  return dx;
}

}  // namespace convlab::cuda
