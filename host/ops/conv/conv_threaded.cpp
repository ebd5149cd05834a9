// Fast CPU conv. float32 with stride 1 and 16, 24, 32, 48, ... filters on a
// CPU with AVX-512: for 3x3 filters on 16 channels or more, the Winograd
// kernels of conv_winograd.h where they pay (forward, dx, and dw with 64
// filters or more), else the direct kernels of conv_avx512.h, chunks of
// images per task (dx by them too when C is such a count, else by the
// per-image dx below). float32 with stride 1 on a CPU with AVX2/FMA, with 32 filters or
// fewer or a filter 5 wide or more: the direct
// kernels of conv_direct.h, one image per task (dw summed per thread; dx as
// the direct conv of dout with the flipped filters for square filters, else
// by the (image, channel) GEMM + col2im tasks below). Otherwise tiled im2col +
// GEMM (single-threaded OpenBLAS calls inside OpenMP tasks), col2im for dx.
//
// Tiles: the output positions of all images, in (n, p) order, are cut into
// tiles whose column matrix (K x cols) stays in the core's cache between
// im2col and the GEMMs that consume it - several whole images per tile when
// an image is small, else part of one image. One task per tile:
//
// forward : cols = im2col(tile); tmp (F x cols) = w (F, K) * cols; tmp + b is
//           copied to out image by image.
// backward: dy (F x cols) = dout of the tile; each thread adds dy * cols^T
//           into its own dw sum (reduced at the end). With whole-image tiles,
//           dcols = w^T * dy is col2im'd into the tile's own images of dx;
//           otherwise a second loop of tasks (image n, channel c) computes
//           w[:, c]^T * dout[n] and col2im's it into plane (n, c) of dx.
//           db is summed per filter. No two tasks write the same element.
//           Without dx (a network's first layer) only the dw GEMMs run.
#include <algorithm>
#include <atomic>
#include <type_traits>

#include "host/cpu/gemm.h"
#include "host/cpu/im2col.h"
#include "host/cpu/parallel.h"
#include "host/cpu/thread_sums.h"
#include "host/cpu/workspace.h"
#include "host/ops/conv/conv.h"
#include "host/ops/conv/conv_avx512.h"
#include "host/ops/conv/conv_direct.h"
#include "host/ops/conv/conv_image.h"
#include "host/ops/conv/conv_winograd.h"

namespace convlab::threaded {

namespace {

// Column tile size bound in elements (default 64 Ki: 256 KiB of float).
std::atomic<int64_t> tile_elements{int64_t(64) << 10};
constexpr int64_t kMinTileColumns = 16;

struct Tiling {
  int64_t N, P;
  int64_t images;  // whole images per tile, or 0: tiles of `cols` positions within one image
  int64_t cols;    // columns per tile (the last tile of an image or batch may be shorter)
  int64_t per_image, tiles;

  Tiling(const ConvDims& d, int64_t K) : N(d.N), P(d.Hout * d.Wout) {
    const int64_t budget = tile_elements.load();
    if (K * P <= budget) {
      images = std::min(N, budget / (K * P));
      cols = images * P;
      per_image = 0;
      tiles = (N + images - 1) / images;
    } else {
      images = 0;
      cols = std::clamp<int64_t>(budget / K, std::min(kMinTileColumns, P), P);
      per_image = (P + cols - 1) / cols;
      tiles = N * per_image;
    }
  }
  // Calls f(n, p0, np, offset) for each image segment of tile t: positions
  // [p0, p0 + np) of image n at column `offset` of the tile; returns the
  // tile's column count.
  template <class F>
  int64_t segments(int64_t t, F&& f) const {
    if (images == 0) {
      const int64_t n = t / per_image, p0 = (t % per_image) * cols, np = std::min(cols, P - p0);
      f(n, p0, np, int64_t(0));
      return np;
    }
    const int64_t n0 = t * images, nb = std::min(images, N - n0);
    for (int64_t j = 0; j < nb; ++j) f(n0 + j, int64_t(0), P, j * P);
    return nb * P;
  }
  int64_t tile_columns(int64_t t) const {
    return images ? std::min(images, N - t * images) * P : std::min(cols, P - (t % per_image) * cols);
  }
};

template <class T>
void im2col(const ConvDims& d, const Tiling& tl, const T* x, int64_t t, T* cols, int64_t ld) {
  tl.segments(t, [&](int64_t n, int64_t p0, int64_t np, int64_t off) { im2col_tile(d, x, n, p0, np, cols + off, ld); });
}

template <class T>
void conv_forward_impl(const ConvDims& d, const T* x, const T* w, const T* b, T* out) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout;
  if constexpr (std::is_same_v<T, float>) {
    if (winograd_conv_usable(d)) return winograd_conv_forward(d, x, w, b, out);
    if (avx512_conv_usable(d)) return avx512_conv_forward(d, x, w, b, out);
    if (direct_conv_usable(d)) {  // one image per task, straight into out
      CONVLAB_OMP(parallel for schedule(dynamic) if(d.N > 1 && worth_threads(d.N * d.F * P * K)))
      for (int64_t n = 0; n < d.N; ++n) conv_image_forward(d, x + n * d.C * d.H * d.W, w, b, out + n * d.F * P);
      return;
    }
  }
  const Tiling tl(d, K);
  CONVLAB_OMP(parallel for schedule(static) if(tl.tiles > 1 && worth_threads(d.N * d.F * P * K)))
  for (int64_t t = 0; t < tl.tiles; ++t) {
    const int64_t ld = tl.tile_columns(t);
    T* cols = workspace<T>(0, K * ld);
    T* tmp = workspace<T>(1, d.F * ld);
    im2col(d, tl, x, t, cols, ld);
    gemm<T>(false, false, d.F, ld, K, T(1), w, K, cols, ld, T(0), tmp, ld);
    tl.segments(t, [&](int64_t n, int64_t p0, int64_t np, int64_t off) {
      for (int64_t f = 0; f < d.F; ++f) {
        const T bias = b[f];
        const T* src = tmp + f * ld + off;
        T* dst = out + (n * d.F + f) * P + p0;
        for (int64_t p = 0; p < np; ++p) dst[p] = src[p] + bias;
      }
    });
  }
}

// db[f]: sum over images and positions, accumulated in double, one filter per
// task; each plane summed in SIMD lanes (independent partial sums, so the
// loop runs at memory speed instead of one dependent add at a time).
template <class T>
void conv_db(const ConvDims& d, const T* dout, T* db) {
  const int64_t P = d.Hout * d.Wout;
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(d.N * d.F * P)))
  for (int64_t f = 0; f < d.F; ++f) {
    double s = 0;
    for (int64_t n = 0; n < d.N; ++n) {
      const T* src = dout + (n * d.F + f) * P;
      CONVLAB_OMP(simd reduction(+ : s))
      for (int64_t p = 0; p < P; ++p) s += static_cast<double>(src[p]);
    }
    db[f] = T(s);
  }
}

// dw (F x K) = the sum of the per-thread sums that body adds into `mine`.
template <class T, class Body>
void sum_dw_over_threads(const ConvDims& d, bool threaded, T* dw, Body&& body) {
  sum_over_threads<T>(d.F * d.C * d.HH * d.WW, threaded, body, [dw](int64_t e, T s) { dw[e] = s; });
}

// dx channel by channel, one (image, channel) plane per task (conv_image.h).
template <class T>
void conv_dx_by_channel(const ConvDims& d, bool threaded, const T* w, const T* dout, T* dx) {
  const int64_t P = d.Hout * d.Wout;
  CONVLAB_OMP(parallel for schedule(static) if(threaded))
  for (int64_t t = 0; t < d.N * d.C; ++t)
    conv_image_dx_channel(d, w, dout + (t / d.C) * d.F * P, t % d.C, dx + t * d.H * d.W);
}

// dx one image per task (conv_image.h's ConvImageDx: the direct conv of dout
// with the flipped filters when the filter is square, else channel by channel).
void conv_dx_by_image(const ConvDims& d, bool threaded, const float* w, const float* dout, float* dx) {
  const int64_t P = d.Hout * d.Wout;
  const ConvImageDx<float> image_dx(d, w);
  CONVLAB_OMP(parallel for schedule(dynamic) if(threaded))
  for (int64_t n = 0; n < d.N; ++n) image_dx(dout + n * d.F * P, dx + n * d.C * d.H * d.W);
}

// The direct paths (float32, stride 1). AVX-512 (conv_avx512.h): dw over
// chunks of images, dx by the same kernels when the channels allow, else by
// image. AVX2 (conv_direct.h): dw one image per task, then dx by image.
void conv_backward_direct(const ConvDims& d, bool threaded, const float* x, const float* w, const float* dout,
                          float* dx, float* dw) {
  const int64_t P = d.Hout * d.Wout;
  if (avx512_conv_usable(d)) {
    if (winograd_conv_dw_usable(d))
      winograd_conv_dw(d, x, dout, dw);
    else
      avx512_conv_dw(d, x, dout, dw);
    if (dx && winograd_conv_dx_usable(d)) return winograd_conv_dx(d, w, dout, dx);
    if (dx && avx512_conv_dx_usable(d)) return avx512_conv_dx(d, w, dout, dx);
  } else {
    sum_dw_over_threads(d, threaded, dw, [&](float* mine) {
      CONVLAB_OMP(for schedule(static))
      for (int64_t n = 0; n < d.N; ++n) conv_image_dw(d, x + n * d.C * d.H * d.W, dout + n * d.F * P, mine);
    });
  }
  if (dx) conv_dx_by_image(d, threaded, w, dout, dx);
}

template <class T>
void conv_backward_impl(const ConvDims& d, const T* x, const T* w, const T* dout, T* dx, T* dw, T* db) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout, RQ = d.HH * d.WW;
  const bool threaded = worth_threads(d.N * d.F * P * K);
  conv_db(d, dout, db);
  if constexpr (std::is_same_v<T, float>) {
    if (avx512_conv_usable(d) || direct_conv_usable(d)) return conv_backward_direct(d, threaded, x, w, dout, dx, dw);
  }
  const Tiling tl(d, K);
  sum_dw_over_threads(d, threaded, dw, [&](T* mine) {
    CONVLAB_OMP(for schedule(static))
    for (int64_t t = 0; t < tl.tiles; ++t) {
      const int64_t ld = tl.tile_columns(t);
      T* cols = workspace<T>(0, K * ld);
      T* dy = workspace<T>(1, d.F * ld);
      im2col(d, tl, x, t, cols, ld);
      tl.segments(t, [&](int64_t n, int64_t p0, int64_t np, int64_t off) {
        for (int64_t f = 0; f < d.F; ++f) {
          const T* src = dout + (n * d.F + f) * P + p0;
          std::copy(src, src + np, dy + f * ld + off);
        }
      });
      gemm<T>(false, true, d.F, K, ld, T(1), dy, ld, cols, ld, T(1), mine, K);
      if (dx && tl.images) {  // whole images: this task owns their planes of dx
        T* dcols = workspace<T>(2, K * ld);
        gemm<T>(true, false, K, ld, d.F, T(1), w, K, dy, ld, T(0), dcols, ld);
        tl.segments(t, [&](int64_t n, int64_t, int64_t, int64_t off) {
          for (int64_t c = 0; c < d.C; ++c)
            col2im_plane(d, dcols + c * RQ * ld + off, ld, dx + (n * d.C + c) * d.H * d.W);
        });
      }
    }
  });
  if (dx && !tl.images) conv_dx_by_channel(d, threaded, w, dout, dx);  // tiles within images
}

}  // namespace

int64_t set_conv_workspace_elements(int64_t elements) {
  CONVLAB_CHECK(elements > 0, "conv (cpu fast): workspace size must be positive, got " << elements);
  return tile_elements.exchange(elements);
}

Forward<ConvCache> conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  const ConvDims d = conv_dims(x, w, b, param);
  CONVLAB_CHECK(x.device() == Device::cpu,
                "conv_forward (cpu fast): x must be a CPU tensor, got " << device_name(x.device()));
  Tensor out = Tensor::empty({d.N, d.F, d.Hout, d.Wout}, x.dtype());
  dispatch_floating(x.dtype(), "conv_forward", [&](auto zero) {
    using T = decltype(zero);
    conv_forward_impl<T>(d, x.data<T>(), w.data<T>(), b.data<T>(), out.data<T>());
  });
  return {out, ConvCache{x, w, b, param}};
}

Grads conv_backward(const Tensor& dout, const ConvCache& cache, bool need_dx) {
  const Tensor &x = cache.x, &w = cache.w, &b = cache.b;
  const ConvDims d = conv_dims(x, w, b, cache.param);
  CONVLAB_CHECK(x.device() == Device::cpu,
                "conv_backward (cpu fast): cache.x must be a CPU tensor, got " << device_name(x.device()));
  expect_same("conv_backward", Device::cpu, x.dtype(), {{"dout", &dout}});
  dout.expect_shape("conv_backward: dout", {d.N, d.F, d.Hout, d.Wout});
  // The AVX-512 and Winograd dx overwrite every element; the other paths add into zeros (col2im).
  const bool dx_overwritten = x.dtype() == DType::f32 && avx512_conv_dx_usable(d);
  Tensor dx;
  if (need_dx) dx = dx_overwritten ? Tensor::empty(x.shape(), x.dtype()) : Tensor::zeros(x.shape(), x.dtype());
  Grads g{dx, Tensor::empty(w.shape(), x.dtype()), Tensor::empty(b.shape(), x.dtype())};
  dispatch_floating(x.dtype(), "conv_backward", [&](auto zero) {
    using T = decltype(zero);
    conv_backward_impl<T>(d, x.data<T>(), w.data<T>(), dout.data<T>(), need_dx ? g.dx.data<T>() : nullptr,
                          g.dw.data<T>(), g.db.data<T>());
  });
  return g;
}

}  // namespace convlab::threaded
