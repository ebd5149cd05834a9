// Fast CPU gelu: one elementwise pass in the tensor's own precision, split
// over threads in static blocks (contiguous, one erf/exp per element).
#include "host/cpu/parallel.h"
#include "host/ops/gelu/gelu_check.h"

namespace convlab::threaded {

Forward<GeluCache> gelu_forward(const Tensor& x) {
  check_gelu_forward(x, Device::cpu);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "gelu_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    const int64_t n = x.numel();
    CONVLAB_OMP(parallel for schedule(static) if(worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) po[i] = gelu_value(px[i]);
  });
  return {out, GeluCache{x}};
}

Tensor gelu_backward(const Tensor& dout, const GeluCache& cache) {
  check_gelu_backward(dout, cache, Device::cpu);
  const Tensor& x = cache.x;
  Tensor dx = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "gelu_backward", [&](auto zero) {
    using T = decltype(zero);
    const T *px = x.data<T>(), *pd = dout.data<T>();
    T* pdx = dx.data<T>();
    const int64_t n = x.numel();
    CONVLAB_OMP(parallel for schedule(static) if(worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) pdx[i] = gelu_grad(px[i], pd[i]);
  });
  return dx;
}

}  // namespace convlab::threaded
