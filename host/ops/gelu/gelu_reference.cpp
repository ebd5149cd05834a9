// CPU reference of gelu, float and double: every element computed in double
// and rounded once to the tensor's dtype.
#include "host/ops/gelu/gelu_check.h"

namespace convlab::ref {

Forward<GeluCache> gelu_forward(const Tensor& x) {
  check_gelu_forward(x, Device::cpu);
  Tensor out(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "gelu_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) po[i] = static_cast<T>(gelu_value<double>(px[i]));
  });
  return {out, GeluCache{x}};
}

Tensor gelu_backward(const Tensor& dout, const GeluCache& cache) {
  check_gelu_backward(dout, cache, Device::cpu);
  const Tensor& x = cache.x;
  Tensor dx(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "gelu_backward", [&](auto zero) {
    using T = decltype(zero);
    const T *px = x.data<T>(), *pd = dout.data<T>();
    T* pdx = dx.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) pdx[i] = static_cast<T>(gelu_grad<double>(px[i], pd[i]));
  });
  return dx;
}

}  // namespace convlab::ref
