// CPU reference of conv (naive loops, zero padding), float and double.
// Sums accumulate in double.
#include <vector>

#include "host/ops/conv/conv.h"

namespace convlab::ref {

Forward<ConvCache> conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  const ConvDims d = conv_dims(x, w, b, param);
  CONVLAB_CHECK(x.device() == Device::cpu, "conv_forward (cpu reference): x must be a CPU tensor");
  Tensor out({d.N, d.F, d.Hout, d.Wout}, x.dtype());
  dispatch_floating(x.dtype(), "conv_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t f = 0; f < d.F; ++f)
        for (int64_t i = 0; i < d.Hout; ++i)
          for (int64_t j = 0; j < d.Wout; ++j) {
            double s = pb[f];
            for (int64_t c = 0; c < d.C; ++c)
              for (int64_t r = 0; r < d.HH; ++r) {
                const int64_t h = i * d.stride + r - d.pad;
                if (h < 0 || h >= d.H) continue;
                for (int64_t q = 0; q < d.WW; ++q) {
                  const int64_t v = j * d.stride + q - d.pad;
                  if (v < 0 || v >= d.W) continue;
                  s += double(px[((n * d.C + c) * d.H + h) * d.W + v]) *
                       double(pw[((f * d.C + c) * d.HH + r) * d.WW + q]);
                }
              }
            po[((n * d.F + f) * d.Hout + i) * d.Wout + j] = T(s);
          }
  });
  return {out, ConvCache{x, w, b, param}};
}

Grads conv_backward(const Tensor& dout, const ConvCache& cache, bool need_dx) {
  const Tensor &x = cache.x, &w = cache.w, &b = cache.b;
  const ConvDims d = conv_dims(x, w, b, cache.param);
  CONVLAB_CHECK(x.device() == Device::cpu, "conv_backward (cpu reference): cache.x must be a CPU tensor");
  expect_same("conv_backward", Device::cpu, x.dtype(), {{"dout", &dout}});
  dout.expect_shape("conv_backward: dout", {d.N, d.F, d.Hout, d.Wout});
  Grads g{Tensor(x.shape(), x.dtype()), Tensor(w.shape(), x.dtype()), Tensor(b.shape(), x.dtype())};
  dispatch_floating(x.dtype(), "conv_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    const T* pd = dout.data<T>();
    // Scatter every output gradient into dx, dw and db, accumulating in double.
    std::vector<double> dx(x.numel(), 0.0), dw(w.numel(), 0.0), db(b.numel(), 0.0);
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t f = 0; f < d.F; ++f)
        for (int64_t i = 0; i < d.Hout; ++i)
          for (int64_t j = 0; j < d.Wout; ++j) {
            const double g_out = pd[((n * d.F + f) * d.Hout + i) * d.Wout + j];
            db[f] += g_out;
            for (int64_t c = 0; c < d.C; ++c)
              for (int64_t r = 0; r < d.HH; ++r) {
                const int64_t h = i * d.stride + r - d.pad;
                if (h < 0 || h >= d.H) continue;
                for (int64_t q = 0; q < d.WW; ++q) {
                  const int64_t v = j * d.stride + q - d.pad;
                  if (v < 0 || v >= d.W) continue;
                  const int64_t xi = ((n * d.C + c) * d.H + h) * d.W + v;
                  const int64_t wi = ((f * d.C + c) * d.HH + r) * d.WW + q;
                  dx[xi] += g_out * double(pw[wi]);
                  dw[wi] += g_out * double(px[xi]);
                }
              }
          }
    T* pdx = g.dx.data<T>();
    T* pdw = g.dw.data<T>();
    T* pdb = g.db.data<T>();
    for (std::size_t k = 0; k < dx.size(); ++k) pdx[k] = T(dx[k]);
    for (std::size_t k = 0; k < dw.size(); ++k) pdw[k] = T(dw[k]);
    for (std::size_t k = 0; k < db.size(); ++k) pdb[k] = T(db[k]);
  });
  // The reference keeps one plain loop nest for all three gradients; without
  // need_dx it only drops dx.
  if (!need_dx) g.dx = Tensor();
  return g;
}

}  // namespace convlab::ref
