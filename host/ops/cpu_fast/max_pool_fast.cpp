// Fast CPU max_pool. Parallel over the N*C planes (one plane per task, read
// row by row); the forward keeps each window's argmax (int32 flat index in
// the H*W plane, first maximum in row-major order) in PoolCache::argmax, so
// the backward is a scatter-add within each plane without re-reading x.
// The common 2x2 window has its own branch-free loop.
#include "host/ops/cpu_fast/fast_ops.h"
#include "host/ops/cpu_fast/parallel.h"
#include "host/ops/max_pool.h"

namespace convlab::fast {

namespace {

// Window maxima of every plane, general window size.
template <class T>
void pool_planes(const PoolDims& d, const T* x, T* out, int32_t* argmax) {
  const int64_t planes = d.N * d.C, HW = d.H * d.W, P = d.Hout * d.Wout;
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(planes * P * d.ph * d.pw)))
  for (int64_t pl = 0; pl < planes; ++pl) {
    const T* plane = x + pl * HW;
    T* o = out + pl * P;
    int32_t* am = argmax + pl * P;
    for (int64_t i = 0; i < d.Hout; ++i)
      for (int64_t j = 0; j < d.Wout; ++j) {
        int64_t best = i * d.stride * d.W + j * d.stride;
        T m = plane[best];
        for (int64_t r = 0; r < d.ph; ++r) {
          const int64_t row = (i * d.stride + r) * d.W + j * d.stride;
          for (int64_t q = 0; q < d.pw; ++q)
            if (plane[row + q] > m) m = plane[best = row + q];
        }
        o[i * d.Wout + j] = m;
        am[i * d.Wout + j] = int32_t(best);
      }
  }
}

// 2x2 windows (any stride), branch-free: the first maximum of each row pair,
// then the second row wins only when strictly greater - the row-major first
// maximum, as the general loop finds it.
template <class T>
void pool_planes_2x2(const PoolDims& d, const T* x, T* out, int32_t* argmax) {
  const int64_t planes = d.N * d.C, HW = d.H * d.W, P = d.Hout * d.Wout, s = d.stride, W = d.W;
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(planes * P * 4)))
  for (int64_t pl = 0; pl < planes; ++pl) {
    const T* plane = x + pl * HW;
    for (int64_t i = 0; i < d.Hout; ++i) {
      const T* r0 = plane + i * s * W;
      const T* r1 = r0 + W;
      T* o = out + pl * P + i * d.Wout;
      int32_t* am = argmax + pl * P + i * d.Wout;
      const int32_t base = int32_t(i * s * W);
      for (int64_t j = 0; j < d.Wout; ++j) {
        const int64_t c = j * s;
        const T a = r0[c], b = r0[c + 1], e = r1[c], f = r1[c + 1];
        const bool tb = b > a, tf = f > e;
        const T top = tb ? b : a, bottom = tf ? f : e;
        const bool lower = bottom > top;
        o[j] = lower ? bottom : top;
        am[j] = base + int32_t(c) + (lower ? int32_t(W) + int32_t(tf) : int32_t(tb));
      }
    }
  }
}

}  // namespace

Forward<PoolCache> max_pool_forward(const Tensor& x, const PoolParam& param) {
  const PoolDims d = pool_dims(x, param);
  CONVLAB_CHECK(x.device() == Device::cpu, "max_pool_forward (cpu fast): x must be a CPU tensor, got "
                                               << device_name(x.device()));
  CONVLAB_CHECK(d.H * d.W <= INT32_MAX, "max_pool_forward: plane " << d.H << "x" << d.W
                                                                   << " too large for int32 argmax indices");
  Tensor out({d.N, d.C, d.Hout, d.Wout}, x.dtype());
  Tensor argmax({d.N, d.C, d.Hout, d.Wout}, DType::i32);
  dispatch_floating(x.dtype(), "max_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    if (d.ph == 2 && d.pw == 2)
      pool_planes_2x2<T>(d, x.data<T>(), out.data<T>(), argmax.data<int32_t>());
    else
      pool_planes<T>(d, x.data<T>(), out.data<T>(), argmax.data<int32_t>());
  });
  return {out, PoolCache{x, param, argmax}};
}

Tensor max_pool_backward(const Tensor& dout, const PoolCache& cache) {
  const Tensor& x = cache.x;
  const PoolDims d = pool_dims(x, cache.param);
  CONVLAB_CHECK(x.device() == Device::cpu, "max_pool_backward (cpu fast): cache.x must be a CPU tensor, got "
                                               << device_name(x.device()));
  expect_same("max_pool_backward", Device::cpu, x.dtype(), {{"dout", &dout}});
  const Shape out_shape{d.N, d.C, d.Hout, d.Wout};
  dout.expect_shape("max_pool_backward: dout", out_shape);
  // A cache from another variant may lack the argmax: recompute it then.
  Tensor argmax = cache.argmax;
  if (!argmax.defined()) argmax = fast::max_pool_forward(x, cache.param).cache.argmax;
  CONVLAB_CHECK(argmax.dtype() == DType::i32 && argmax.device() == Device::cpu,
                "max_pool_backward: cache.argmax must be an int32 CPU tensor, got "
                    << dtype_name(argmax.dtype()) << " on " << device_name(argmax.device()));
  argmax.expect_shape("max_pool_backward: cache.argmax", out_shape);
  Tensor dx(x.shape(), x.dtype());  // zero-filled
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

}  // namespace convlab::fast
