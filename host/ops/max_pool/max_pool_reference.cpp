// CPU reference of max_pool, float and double. Windows may overlap; the
// gradient of a window goes to its first maximum in row-major order.
#include "host/ops/max_pool/max_pool.h"

namespace convlab::ref {
namespace {

// Flat index (h * W + w in the plane) of the first maximum of window (i, j).
template <class T>
int64_t window_argmax(const T* plane, const PoolDims& d, int64_t i, int64_t j) {
  const int64_t h0 = i * d.stride, w0 = j * d.stride;
  int64_t best = h0 * d.W + w0;
  for (int64_t r = 0; r < d.ph; ++r)
    for (int64_t q = 0; q < d.pw; ++q) {
      const int64_t k = (h0 + r) * d.W + (w0 + q);
      if (plane[k] > plane[best]) best = k;
    }
  return best;
}

}  // namespace

Forward<PoolCache> max_pool_forward(const Tensor& x, const PoolParam& param) {
  const PoolDims d = pool_dims(x, param);
  CONVLAB_CHECK(x.device() == Device::cpu, "max_pool_forward (cpu reference): x must be a CPU tensor");
  Tensor out({d.N, d.C, d.Hout, d.Wout}, x.dtype());
  dispatch_floating(x.dtype(), "max_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    T* po = out.data<T>();
    for (int64_t p = 0; p < d.N * d.C; ++p) {
      const T* plane = x.data<T>() + p * d.H * d.W;
      for (int64_t i = 0; i < d.Hout; ++i)
        for (int64_t j = 0; j < d.Wout; ++j) po[(p * d.Hout + i) * d.Wout + j] = plane[window_argmax(plane, d, i, j)];
    }
  });
  return {out, PoolCache{x, param, Tensor()}};
}

Tensor max_pool_backward(const Tensor& dout, const PoolCache& cache) {
  const Tensor& x = cache.x;
  const PoolDims d = pool_dims(x, cache.param);
  CONVLAB_CHECK(x.device() == Device::cpu, "max_pool_backward (cpu reference): cache.x must be a CPU tensor");
  expect_same("max_pool_backward", Device::cpu, x.dtype(), {{"dout", &dout}});
  dout.expect_shape("max_pool_backward: dout", {d.N, d.C, d.Hout, d.Wout});
  Tensor dx(x.shape(), x.dtype());  // zero-filled
  dispatch_floating(x.dtype(), "max_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* pd = dout.data<T>();
    for (int64_t p = 0; p < d.N * d.C; ++p) {
      const T* plane = x.data<T>() + p * d.H * d.W;
      T* dplane = dx.data<T>() + p * d.H * d.W;
      // Overlapping windows may pick the same element: gradients add up.
      for (int64_t i = 0; i < d.Hout; ++i)
        for (int64_t j = 0; j < d.Wout; ++j) dplane[window_argmax(plane, d, i, j)] += pd[(p * d.Hout + i) * d.Wout + j];
    }
  });
  return dx;
}

}  // namespace convlab::ref
