#include "host/ops/conv/conv_avx512.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "host/cpu/cpu_features.h"
#include "host/cpu/parallel.h"
#include "host/cpu/thread_sums.h"
#include "host/cpu/workspace.h"
#include "host/error.h"
#include "host/ops/conv/conv_direct.h"

#ifdef CONVLAB_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace convlab::threaded {

namespace {

std::atomic<bool> g_enabled{true};

constexpr int kRows = 6;  // positions (forward) or taps (dw) of a tile
constexpr int64_t kMinChunkPositions = 96;
constexpr int64_t kMaxChunkFloats = int64_t(64) << 10;  // padded images of a chunk: 256 KiB

// A multiple of 16 filters, or padding that costs at most a quarter of the
// work (24, 40, ... but not 8 or 20) on a reduction of 64 taps or more: with
// fewer (the 2x2 whitening conv on 3 channels: 12) the transposes, not the
// FMAs, set the time, and the AVX2 kernels do better (measured: 3.9 ms
// against 5.6 ms forward, 256 x 3 x 32 x 32 -> 24 filters).
bool lanes_filled(int64_t F, int64_t K) { return F > 0 && (F % 16 == 0 || (K >= 64 && 4 * F >= 3 * avx512_padded(F))); }

// The padded chunk geometry, the tap offsets and the position bases.
struct Geometry {
  int64_t Hp, Wp, image, P, K, Fp, nb, chunks;  // Fp: F rounded up to a multiple of 16
  std::vector<int64_t> off;                     // (K,): tap k -> offset in a padded image
  std::vector<int64_t> base;                    // (nb * P,): position t of a chunk -> its window's corner in the chunk

  explicit Geometry(const ConvDims& d)
      : Hp(d.H + 2 * d.pad),
        Wp(d.W + 2 * d.pad),
        image(d.C * Hp * Wp),
        P(d.Hout * d.Wout),
        K(d.C * d.HH * d.WW),
        Fp(avx512_padded(d.F)) {
    nb = std::max<int64_t>(1, (kMinChunkPositions + P - 1) / P);
    nb = std::min({nb, std::max<int64_t>(1, kMaxChunkFloats / image), d.N});
    chunks = (d.N + nb - 1) / nb;
    off.resize(static_cast<std::size_t>(K));
    for (int64_t c = 0, k = 0; c < d.C; ++c)
      for (int64_t r = 0; r < d.HH; ++r)
        for (int64_t q = 0; q < d.WW; ++q) off[k++] = c * Hp * Wp + r * Wp + q;
    base.resize(static_cast<std::size_t>(nb * P));
    for (int64_t n = 0, t = 0; n < nb; ++n)
      for (int64_t i = 0; i < d.Hout; ++i)
        for (int64_t j = 0; j < d.Wout; ++j) base[t++] = n * image + i * Wp + j;
  }
  int64_t images_in(int64_t chunk, int64_t N) const { return std::min(nb, N - chunk * nb); }
};

#ifdef CONVLAB_HAVE_AVX2_KERNELS
#define CONVLAB_UNROLL _Pragma("GCC unroll 16")

// Images [n0, n0 + nc) of x, zero-padded, into xp: one memset of the chunk
// (contiguous, so at full speed), then the image rows by 16-float loads and
// stores with a masked last one, as airbench's rows of 31, 15, 7 and 3 floats
// make a memcpy call per row, or a fill call per pad element, cost more than
// the copy itself.
CONVLAB_AVX512 void pad_chunk(const ConvDims& d, const Geometry& g, const float* x, int64_t n0, int64_t nc, float* xp) {
  const int64_t W = d.W;
  std::memset(xp, 0, sizeof(float) * static_cast<std::size_t>(nc * g.image));
  const int64_t full = W / 16 * 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (W - full)) - 1);
  const float* in = x + n0 * d.C * d.H * W;
  for (int64_t pl = 0; pl < nc * d.C; ++pl)  // plane (n, c) of the chunk
    for (int64_t h = 0; h < d.H; ++h, in += W) {
      float* row = xp + (pl * g.Hp + h + d.pad) * g.Wp + d.pad;
      for (int64_t j = 0; j < full; j += 16) _mm512_storeu_ps(row + j, _mm512_loadu_ps(in + j));
      if (tail) _mm512_mask_storeu_ps(row + full, tail, _mm512_maskz_loadu_ps(tail, in + full));
    }
}

// One full 16 x 16 block in the registers: 16 row loads, three rounds of
// shuffles (floats in pairs, pairs in fours, then the 128-bit lanes), 16 row
// stores (+ bias[c] on output row c). u[4g + m] after round two holds, in
// lane l, column 4l + m of rows 4g .. 4g + 3.
// (GCC 12 warns that the shuffles' own headers read an uninitialised
// _mm512_undefined_ps(), GCC bug 105593; the pragma quiets that false alarm.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
CONVLAB_AVX512 void transpose16(const float* src, int64_t lds, float* dst, int64_t ldd, const float* bias) {
  __m512 r[16], t[16];
  CONVLAB_UNROLL
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * lds);
  CONVLAB_UNROLL
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  CONVLAB_UNROLL
  for (int i = 0; i < 16; i += 4) {
    const __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
    const __m512d c = _mm512_castps_pd(t[i + 2]), d = _mm512_castps_pd(t[i + 3]);
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  CONVLAB_UNROLL
  for (int m = 0; m < 4; ++m) {
    const __m512 v0 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0x44), v1 = _mm512_shuffle_f32x4(r[m], r[4 + m], 0xEE);
    const __m512 v2 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0x44);
    const __m512 v3 = _mm512_shuffle_f32x4(r[8 + m], r[12 + m], 0xEE);
    const __m512 out[4] = {_mm512_shuffle_f32x4(v0, v2, 0x88), _mm512_shuffle_f32x4(v0, v2, 0xDD),
                           _mm512_shuffle_f32x4(v1, v3, 0x88), _mm512_shuffle_f32x4(v1, v3, 0xDD)};
    CONVLAB_UNROLL
    for (int l = 0; l < 4; ++l) {
      const int c = 4 * l + m;
      _mm512_storeu_ps(dst + c * ldd, bias ? _mm512_add_ps(out[l], _mm512_set1_ps(bias[c])) : out[l]);
    }
  }
}
#pragma GCC diagnostic pop

// acc[i][j] = sum_t xp[a[i] + s[t]] * w[t * ldw + 16 j .. 16 j + 15] for the
// 6 rows i and FB vectors j; rows [0, rows) are stored to out + i * ldo
// (added to it when `add`).
template <int FB>
CONVLAB_AVX512 void tile(const float* xp, const int64_t* a, const int64_t* s, int64_t T, const float* w, int64_t ldw,
                         float* out, int64_t ldo, int rows, bool add) {
  __m512 acc[kRows][FB];
  const float* x[kRows];
  CONVLAB_UNROLL
  for (int i = 0; i < kRows; ++i) {
    x[i] = xp + a[i];
    CONVLAB_UNROLL
    for (int j = 0; j < FB; ++j) acc[i][j] = _mm512_setzero_ps();
  }
  for (int64_t t = 0; t < T; ++t) {
    const float* wt = w + t * ldw;
    __m512 wv[FB];
    CONVLAB_UNROLL
    for (int j = 0; j < FB; ++j) wv[j] = _mm512_loadu_ps(wt + 16 * j);
    const int64_t st = s[t];
    CONVLAB_UNROLL
    for (int i = 0; i < kRows; ++i) {
      const __m512 xv = _mm512_set1_ps(x[i][st]);
      CONVLAB_UNROLL
      for (int j = 0; j < FB; ++j) acc[i][j] = _mm512_fmadd_ps(xv, wv[j], acc[i][j]);
    }
  }
  for (int i = 0; i < rows; ++i) CONVLAB_UNROLL
  for (int j = 0; j < FB; ++j) {
    float* o = out + i * ldo + 16 * j;
    _mm512_storeu_ps(o, add ? _mm512_add_ps(_mm512_loadu_ps(o), acc[i][j]) : acc[i][j]);
  }
}

#else
void pad_chunk(const ConvDims&, const Geometry&, const float*, int64_t, int64_t, float*) {
  throw Error("conv (cpu fast): the AVX-512 kernels are not built for this CPU");
}
#endif

}  // namespace

// The building blocks shared with the Winograd kernels (conv_avx512.h).
#ifdef CONVLAB_HAVE_AVX2_KERNELS
// (The same false alarm as transpose16's, where it is inlined here.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// dst[c * ldd + r] = src[r * lds + c] (+ bias[c] when given) for r < rows,
// c < cols: full 16 x 16 blocks by transpose16, the edges element by element.
CONVLAB_AVX512 void avx512_transpose(const float* src, int64_t lds, int64_t rows, int64_t cols, float* dst, int64_t ldd,
                                     const float* bias) {
  constexpr int64_t kB = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += kB)
    for (int64_t c0 = 0; c0 < cols; c0 += kB) {
      const int64_t r1 = std::min(rows, r0 + kB), c1 = std::min(cols, c0 + kB);
      if (r1 - r0 == kB && c1 - c0 == kB) {
        transpose16(src + r0 * lds + c0, lds, dst + c0 * ldd + r0, ldd, bias ? bias + c0 : nullptr);
        continue;
      }
      for (int64_t c = c0; c < c1; ++c) {
        const float add = bias ? bias[c] : 0.0f;
        float* d = dst + c * ldd;
        for (int64_t r = r0; r < r1; ++r) d[r] = src[r * lds + c] + add;
      }
    }
}
#pragma GCC diagnostic pop

// The tiles of `count` rows (6 at a time; a short last tile repeats its last
// row, stored once) x `F` columns (64 at a time, then 48, 32 or 16): row
// index r reads xp at rows_at[r], column block f0 at w + f0 and out + f0.
CONVLAB_AVX512 void avx512_tiles(const float* xp, const int64_t* rows_at, int64_t count, const int64_t* s, int64_t T,
                                 const float* w, int64_t F, float* out, bool add) {
  for (int64_t f0 = 0; f0 < F; f0 += 64) {
    const int fb = static_cast<int>(std::min<int64_t>(4, (F - f0) / 16));
    for (int64_t r0 = 0; r0 < count; r0 += kRows) {
      const int rows = static_cast<int>(std::min<int64_t>(kRows, count - r0));
      int64_t a[kRows];
      for (int i = 0; i < kRows; ++i) a[i] = rows_at[r0 + std::min(i, rows - 1)];
      float* o = out + r0 * F + f0;
      switch (fb) {
        case 4:
          tile<4>(xp, a, s, T, w + f0, F, o, F, rows, add);
          break;
        case 3:
          tile<3>(xp, a, s, T, w + f0, F, o, F, rows, add);
          break;
        case 2:
          tile<2>(xp, a, s, T, w + f0, F, o, F, rows, add);
          break;
        default:
          tile<1>(xp, a, s, T, w + f0, F, o, F, rows, add);
          break;
      }
    }
  }
}
#else
void avx512_tiles(const float*, const int64_t*, int64_t, const int64_t*, int64_t, const float*, int64_t, float*, bool) {
  throw Error("conv (cpu fast): the AVX-512 kernels are not built for this CPU");
}
void avx512_transpose(const float*, int64_t, int64_t, int64_t, float*, int64_t, const float*) {
  throw Error("conv (cpu fast): the AVX-512 kernels are not built for this CPU");
}
#endif

void avx512_rows(const float* src, int64_t nc, int64_t R, int64_t P, int64_t Rp, float* dst) {
  for (int64_t n = 0; n < nc; ++n) avx512_transpose(src + n * R * P, P, R, P, dst + n * P * Rp, Rp, nullptr);
  if (Rp > R)
    for (int64_t q = 0; q < nc * P; ++q) std::fill(dst + q * Rp + R, dst + (q + 1) * Rp, 0.0f);
}

bool set_avx512_conv_enabled(bool on) { return g_enabled.exchange(on); }

bool avx512_conv_usable(const ConvDims& d) {
  return g_enabled.load() && d.stride == 1 && lanes_filled(d.F, d.C * d.HH * d.WW) && d.Hout > 0 && d.Wout > 0 &&
         d.N > 0 && cpu_has_avx512f();
}

bool avx512_conv_dx_usable(const ConvDims& d) {
  return avx512_conv_usable(d) && lanes_filled(d.C, d.F * d.HH * d.WW) && d.HH == d.WW && d.pad <= d.HH - 1;
}

void avx512_conv_forward(const ConvDims& d, const float* x, const float* w, const float* b, float* out) {
  const Geometry g(d);
  // wt[k][f], 64-byte aligned so that each 16-filter load is one cache line;
  // the calling thread's slot 3 (the tasks use slots 0 and 1).
  float* wt = workspace<float>(3, g.K * g.Fp);
  for (int64_t k = 0; k < g.K; ++k) {
    for (int64_t f = 0; f < d.F; ++f) wt[k * g.Fp + f] = w[f * g.K + k];
    std::fill(wt + k * g.Fp + d.F, wt + (k + 1) * g.Fp, 0.0f);  // the padding filters give zeros
  }
  CONVLAB_OMP(parallel for schedule(dynamic) if(g.chunks > 1 && worth_threads(d.N * d.F * g.P * g.K)))
  for (int64_t ch = 0; ch < g.chunks; ++ch) {
    const int64_t n0 = ch * g.nb, nc = g.images_in(ch, d.N), T = nc * g.P;
    float* xp = workspace<float>(0, nc * g.image);
    float* ot = workspace<float>(1, T * g.Fp);  // out^T [t][f]
    pad_chunk(d, g, x, n0, nc, xp);
    avx512_tiles(xp, g.base.data(), T, g.off.data(), g.K, wt, g.Fp, ot, false);
    for (int64_t n = 0; n < nc; ++n)
      avx512_transpose(ot + n * g.P * g.Fp, g.Fp, g.P, d.F, out + (n0 + n) * d.F * g.P, g.P, b);
  }
}

void avx512_conv_dw(const ConvDims& d, const float* x, const float* dout, float* dw) {
  const Geometry g(d);
  const int64_t F = d.F, Fp = g.Fp, K = g.K;
  const bool threaded = g.chunks > 1 && worth_threads(d.N * F * g.P * K);
  sum_over_threads<float>(
      K * Fp, threaded,
      [&](float* mine) {  // dw^T [k][f]
        CONVLAB_OMP(for schedule(dynamic))
        for (int64_t ch = 0; ch < g.chunks; ++ch) {
          const int64_t n0 = ch * g.nb, nc = g.images_in(ch, d.N), T = nc * g.P;
          float* xp = workspace<float>(0, nc * g.image);
          float* dt = workspace<float>(1, T * Fp);  // dout^T [t][f], the padding columns zero
          pad_chunk(d, g, x, n0, nc, xp);
          avx512_rows(dout + n0 * F * g.P, nc, F, g.P, Fp, dt);
          avx512_tiles(xp, g.off.data(), K, g.base.data(), T, dt, Fp, mine, true);
        }
      },
      [&](int64_t e, float s) {
        if (e % Fp < F) dw[(e % Fp) * K + e / Fp] = s;
      });
}

void avx512_conv_dx(const ConvDims& d, const float* w, const float* dout, float* dx) {
  // dx = conv(dout, flipped and transposed w), padding HH - 1 - pad: the AVX2 path's plan (conv_direct.h).
  const DirectDxPlan plan = direct_conv_dx_plan(d, w);
  avx512_conv_forward(plan.dims, dout, plan.w.data(), plan.zero_bias.data(), dx);
}

}  // namespace convlab::threaded
