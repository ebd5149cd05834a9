// Fast CPU conv: im2col + one GEMM per chunk of images (OpenBLAS), col2im
// for dx. The column matrix covers many images at once so that the GEMM is
// large enough to keep every core busy; chunks bound the workspace.
//
// forward : cols (K, nb*P) = im2col(x chunk); tmp (F, nb*P) = w (F, K) * cols;
//           out[n, f, p] = tmp[f, n*P + p] + b[f].
// backward: dy (F, nb*P) gathered from dout; dw += dy * cols^T;
//           dcols (K, nb*P) = w^T * dy; dx += col2im(dcols); db = sum of dout.
#include <algorithm>
#include <atomic>

#include "host/ops/conv.h"
#include "host/ops/cpu_fast/fast_ops.h"
#include "host/ops/cpu_fast/gemm.h"
#include "host/ops/cpu_fast/im2col.h"
#include "host/ops/cpu_fast/parallel.h"
#include "host/ops/cpu_fast/workspace.h"

namespace convlab::fast {

namespace {

// Workspace elements per chunk are kept under this (default 64 MiB of float).
std::atomic<int64_t> chunk_elements{int64_t(16) << 20};

// Images per chunk when each image needs per_image workspace elements.
int64_t chunk_images(int64_t N, int64_t per_image) {
  return std::clamp<int64_t>(chunk_elements.load() / std::max<int64_t>(per_image, 1), 1, N);
}

template <class T>
void conv_forward_impl(const ConvDims& d, const T* x, const T* w, const T* b, T* out) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout;
  const int64_t chunk = chunk_images(d.N, (K + d.F) * P);
  for (int64_t n0 = 0; n0 < d.N; n0 += chunk) {
    const int64_t nb = std::min(chunk, d.N - n0);
    T* cols = workspace<T>(0, K * nb * P);
    T* tmp = workspace<T>(1, d.F * nb * P);
    im2col(d, x, n0, nb, cols);
    gemm<T>(false, false, d.F, nb * P, K, T(1), w, K, cols, nb * P, T(0), tmp, nb * P);
    // Scatter (f, n, p) -> (n, f, p) adding the bias; one contiguous run of P per task.
    CONVLAB_OMP(parallel for collapse(2) schedule(static) if(worth_threads(nb * d.F * P)))
    for (int64_t n = 0; n < nb; ++n)
      for (int64_t f = 0; f < d.F; ++f) {
        const T* src = tmp + (f * nb + n) * P;
        T* dst = out + ((n0 + n) * d.F + f) * P;
        const T bias = b[f];
        for (int64_t p = 0; p < P; ++p) dst[p] = src[p] + bias;
      }
  }
}

template <class T>
void conv_backward_impl(const ConvDims& d, const T* x, const T* w, const T* dout, T* dx, T* dw, T* db) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout;
  // db[f]: sum over images and positions, accumulated in double, one filter per task.
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(d.N * d.F * P)))
  for (int64_t f = 0; f < d.F; ++f) {
    double s = 0;
    for (int64_t n = 0; n < d.N; ++n) {
      const T* src = dout + (n * d.F + f) * P;
      for (int64_t p = 0; p < P; ++p) s += src[p];
    }
    db[f] = T(s);
  }
  const int64_t chunk = chunk_images(d.N, (2 * K + d.F) * P);
  for (int64_t n0 = 0; n0 < d.N; n0 += chunk) {
    const int64_t nb = std::min(chunk, d.N - n0);
    T* cols = workspace<T>(0, K * nb * P);
    T* dy = workspace<T>(1, d.F * nb * P);
    T* dcols = workspace<T>(2, K * nb * P);
    im2col(d, x, n0, nb, cols);
    CONVLAB_OMP(parallel for collapse(2) schedule(static) if(worth_threads(nb * d.F * P)))
    for (int64_t f = 0; f < d.F; ++f)
      for (int64_t n = 0; n < nb; ++n) {
        const T* src = dout + ((n0 + n) * d.F + f) * P;
        std::copy(src, src + P, dy + (f * nb + n) * P);
      }
    gemm<T>(false, true, d.F, K, nb * P, T(1), dy, nb * P, cols, nb * P, n0 == 0 ? T(0) : T(1), dw, K);
    gemm<T>(true, false, K, nb * P, d.F, T(1), w, K, dy, nb * P, T(0), dcols, nb * P);
    col2im_add(d, dcols, n0, nb, dx);
  }
}

}  // namespace

int64_t set_conv_workspace_elements(int64_t elements) {
  CONVLAB_CHECK(elements > 0, "conv (cpu fast): workspace size must be positive, got " << elements);
  return chunk_elements.exchange(elements);
}

Forward<ConvCache> conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  const ConvDims d = conv_dims(x, w, b, param);
  CONVLAB_CHECK(x.device() == Device::cpu, "conv_forward (cpu fast): x must be a CPU tensor, got "
                                               << device_name(x.device()));
  Tensor out({d.N, d.F, d.Hout, d.Wout}, x.dtype());
  dispatch_floating(x.dtype(), "conv_forward", [&](auto zero) {
    using T = decltype(zero);
    conv_forward_impl<T>(d, x.data<T>(), w.data<T>(), b.data<T>(), out.data<T>());
  });
  return {out, ConvCache{x, w, b, param}};
}

Grads3 conv_backward(const Tensor& dout, const ConvCache& cache) {
  const Tensor &x = cache.x, &w = cache.w, &b = cache.b;
  const ConvDims d = conv_dims(x, w, b, cache.param);
  CONVLAB_CHECK(x.device() == Device::cpu, "conv_backward (cpu fast): cache.x must be a CPU tensor, got "
                                               << device_name(x.device()));
  expect_same("conv_backward", Device::cpu, x.dtype(), {{"dout", &dout}});
  dout.expect_shape("conv_backward: dout", {d.N, d.F, d.Hout, d.Wout});
  Grads3 g{Tensor(x.shape(), x.dtype()), Tensor(w.shape(), x.dtype()), Tensor(b.shape(), x.dtype())};
  dispatch_floating(x.dtype(), "conv_backward", [&](auto zero) {
    using T = decltype(zero);
    conv_backward_impl<T>(d, x.data<T>(), w.data<T>(), dout.data<T>(), g.dx.data<T>(), g.d1.data<T>(),
                          g.d2.data<T>());
  });
  return g;
}

}  // namespace convlab::fast
