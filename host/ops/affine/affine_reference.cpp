// CPU reference of affine, float and double (sums accumulate in double).
#include "host/ops/affine/affine.h"

namespace convlab::ref {

Forward<AffineCache> affine_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  const AffineDims d = affine_dims(x, w, b);
  CONVLAB_CHECK(x.device() == Device::cpu, "affine_forward (cpu reference): x must be a CPU tensor");
  Tensor out({d.N, d.M}, x.dtype());
  dispatch_floating(x.dtype(), "affine_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t m = 0; m < d.M; ++m) {
        double s = pb[m];
        for (int64_t k = 0; k < d.D; ++k) s += double(px[n * d.D + k]) * double(pw[k * d.M + m]);
        po[n * d.M + m] = T(s);
      }
  });
  return {out, AffineCache{x, w, b}};
}

Grads affine_backward(const Tensor& dout, const AffineCache& cache, bool need_dx) {
  const Tensor &x = cache.x, &w = cache.w, &b = cache.b;
  const AffineDims d = affine_dims(x, w, b);
  CONVLAB_CHECK(x.device() == Device::cpu, "affine_backward (cpu reference): cache.x must be a CPU tensor");
  expect_same("affine_backward", Device::cpu, x.dtype(), {{"dout", &dout}});
  dout.expect_shape("affine_backward: dout", {d.N, d.M});
  Grads g{need_dx ? Tensor(x.shape(), x.dtype()) : Tensor(), Tensor(w.shape(), x.dtype()),
          Tensor(b.shape(), x.dtype())};
  dispatch_floating(x.dtype(), "affine_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    const T* pd = dout.data<T>();
    T* pdw = g.dw.data<T>();
    T* pdb = g.db.data<T>();
    // dx = dout @ w^T
    if (need_dx) {
      T* pdx = g.dx.data<T>();
      for (int64_t n = 0; n < d.N; ++n)
        for (int64_t k = 0; k < d.D; ++k) {
          double s = 0.0;
          for (int64_t m = 0; m < d.M; ++m) s += double(pd[n * d.M + m]) * double(pw[k * d.M + m]);
          pdx[n * d.D + k] = T(s);
        }
    }
    // dw = x^T @ dout
    for (int64_t k = 0; k < d.D; ++k)
      for (int64_t m = 0; m < d.M; ++m) {
        double s = 0.0;
        for (int64_t n = 0; n < d.N; ++n) s += double(px[n * d.D + k]) * double(pd[n * d.M + m]);
        pdw[k * d.M + m] = T(s);
      }
    // db = sum over the batch of dout
    for (int64_t m = 0; m < d.M; ++m) {
      double s = 0.0;
      for (int64_t n = 0; n < d.N; ++n) s += double(pd[n * d.M + m]);
      pdb[m] = T(s);
    }
  });
  return g;
}

}  // namespace convlab::ref
