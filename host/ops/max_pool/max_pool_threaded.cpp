// Fast CPU max_pool. Parallel over the N*C planes (one plane per task, read
// row by row); the forward keeps each window's argmax (int32 flat index in
// the H*W plane, first maximum in row-major order) in PoolCache::argmax, so
// the backward is a scatter-add within each plane without re-reading x.
#include <algorithm>

#include "host/cpu/parallel.h"
#include "host/ops/max_pool/max_pool.h"
#include "host/ops/max_pool/pool_planes.h"

namespace convlab::threaded {

Forward<PoolCache> max_pool_forward(const Tensor& x, const PoolParam& param) {
  const PoolDims d = pool_dims(x, param);
  CONVLAB_CHECK(x.device() == Device::cpu,
                "max_pool_forward (cpu fast): x must be a CPU tensor, got " << device_name(x.device()));
  CONVLAB_CHECK(d.H * d.W <= INT32_MAX,
                "max_pool_forward: plane " << d.H << "x" << d.W << " too large for int32 argmax indices");
  Tensor out = Tensor::empty({d.N, d.C, d.Hout, d.Wout}, x.dtype());
  Tensor argmax = Tensor::empty({d.N, d.C, d.Hout, d.Wout}, DType::i32);
  dispatch_floating(x.dtype(), "max_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    pool_planes<T>(d, x.data<T>(), out.data<T>(), argmax.data<int32_t>());
  });
  return {out, PoolCache{x, param, argmax}};
}

Tensor max_pool_backward(const Tensor& dout, const PoolCache& cache) {
  const Tensor& x = cache.x;
  const PoolDims d = pool_dims(x, cache.param);
  CONVLAB_CHECK(x.device() == Device::cpu,
                "max_pool_backward (cpu fast): cache.x must be a CPU tensor, got " << device_name(x.device()));
  expect_same("max_pool_backward", Device::cpu, x.dtype(), {{"dout", &dout}});
  const Shape out_shape{d.N, d.C, d.Hout, d.Wout};
  dout.expect_shape("max_pool_backward: dout", out_shape);
  // A cache from another variant may lack the argmax: recompute it then.
  Tensor argmax = cache.argmax;
  if (!argmax.defined()) argmax = threaded::max_pool_forward(x, cache.param).cache.argmax;
  CONVLAB_CHECK(argmax.dtype() == DType::i32 && argmax.device() == Device::cpu,
                "max_pool_backward: cache.argmax must be an int32 CPU tensor, got "
                    << dtype_name(argmax.dtype()) << " on " << device_name(argmax.device()));
  argmax.expect_shape("max_pool_backward: cache.argmax", out_shape);
  Tensor dx = Tensor::zeros(x.shape(), x.dtype());
  int64_t bad = 0;
  dispatch_floating(x.dtype(), "max_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* pd = dout.data<T>();
    const int32_t* am = argmax.data<int32_t>();
    T* pdx = dx.data<T>();
    const int64_t planes = d.N * d.C, HW = d.H * d.W, P = d.Hout * d.Wout;
    // One plane per task: overlapping windows add into the task's own plane.
    CONVLAB_OMP(parallel for schedule(static) reduction(+ : bad) if(worth_threads(planes * P)))
    for (int64_t pl = 0; pl < planes; ++pl) {
      T* plane = pdx + pl * HW;
      for (int64_t k = 0; k < P; ++k) {
        const int32_t idx = am[pl * P + k];
        if (idx < 0 || idx >= HW) {
          ++bad;
          continue;
        }
        plane[idx] += pd[pl * P + k];
      }
    }
  });
  CONVLAB_CHECK(bad == 0, "max_pool_backward: cache.argmax holds " << bad << " indices outside the " << d.H << "x"
                                                                   << d.W << " plane");
  return dx;
}

}  // namespace convlab::threaded
