// Fast CPU relu: one elementwise pass, split over threads in static blocks
// and vectorised (contiguous, branch-free select).
#include "host/ops/cpu_fast/fast_ops.h"
#include "host/ops/cpu_fast/parallel.h"
#include "host/ops/relu.h"

namespace convlab::fast {

Forward<ReluCache> relu_forward(const Tensor& x) {
  x.expect_float("relu_forward: x");
  expect_same("relu_forward", Device::cpu, x.dtype(), {{"x", &x}});
  Tensor out(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "relu_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    const int64_t n = x.numel();
    CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) po[i] = px[i] > T(0) ? px[i] : T(0);
  });
  return {out, ReluCache{x}};
}

Tensor relu_backward(const Tensor& dout, const ReluCache& cache) {
  const Tensor& x = cache.x;
  expect_same("relu_backward", Device::cpu, x.dtype(), {{"dout", &dout}, {"cache.x", &x}});
  dout.expect_shape("relu_backward: dout", x.shape());
  Tensor dx(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "relu_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const T* pd = dout.data<T>();
    T* pdx = dx.data<T>();
    const int64_t n = x.numel();
    CONVLAB_OMP(parallel for simd schedule(static) if(worth_threads(n)))
    for (int64_t i = 0; i < n; ++i) pdx[i] = px[i] > T(0) ? pd[i] : T(0);
  });
  return dx;
}

}  // namespace convlab::fast
