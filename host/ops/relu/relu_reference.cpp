// CPU reference of relu, float and double.
#include "host/ops/relu/relu_check.h"

namespace convlab::ref {

Forward<ReluCache> relu_forward(const Tensor& x) {
  check_relu_forward(x, Device::cpu);
  Tensor out(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "relu_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) po[i] = relu_value(px[i]);
  });
  return {out, ReluCache{x}};
}

Tensor relu_backward(const Tensor& dout, const ReluCache& cache) {
  check_relu_backward(dout, cache, Device::cpu);
  const Tensor& x = cache.x;
  Tensor dx(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "relu_backward", [&](auto zero) {
    using T = decltype(zero);
    const T *px = x.data<T>(), *pd = dout.data<T>();
    T* pdx = dx.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) pdx[i] = relu_grad(px[i], pd[i]);
  });
  return dx;
}

}  // namespace convlab::ref
