// Fast CPU relu: one elementwise pass, split over threads in static blocks
// and vectorised (contiguous, branch-free select).
#include "host/cpu/parallel.h"
#include "host/ops/relu/relu.h"
#include "host/ops/relu/relu_check.h"

namespace convlab::threaded {

Forward<ReluCache> relu_forward(const Tensor& x) {
  check_relu_forward(x, Device::cpu);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "relu_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    const int64_t n = x.numel();
    CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) po[i] = relu_value(px[i]);
  });
  return {out, ReluCache{x}};
}

Tensor relu_backward(const Tensor& dout, const ReluCache& cache) {
  check_relu_backward(dout, cache, Device::cpu);
  const Tensor& x = cache.x;
  Tensor dx = Tensor::empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "relu_backward", [&](auto zero) {
    using T = decltype(zero);
    const T *px = x.data<T>(), *pd = dout.data<T>();
    T* pdx = dx.data<T>();
    const int64_t n = x.numel();
    CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) pdx[i] = relu_grad(px[i], pd[i]);
  });
  return dx;
}

}  // namespace convlab::threaded
