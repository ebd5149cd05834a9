#include "host/ops/conv/conv_winograd.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <numeric>
#include <vector>

#include "host/cpu/cpu_features.h"
#include "host/cpu/parallel.h"
#include "host/cpu/thread_sums.h"
#include "host/cpu/workspace.h"
#include "host/error.h"
#include "host/ops/conv/conv_avx512.h"
#include "host/ops/conv/conv_direct.h"

#ifdef CONVLAB_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace convlab::threaded {

namespace {

std::atomic<bool> g_enabled{true};

constexpr int64_t kChunkTiles = 64;                      // tiles of a chunk, at least (whole images)
constexpr int64_t kMaxChunkFloats = int64_t(256) << 10;  // V and M of a chunk: 1 MiB

// The tiles of an image and the chunk geometry. Tile t = (n, th, tw) of a
// chunk covers outputs (2 th .. 2 th + 1, 2 tw .. 2 tw + 1) of image n and
// reads rows 2 th .. 2 th + 3, columns 2 tw .. 2 tw + 3 of its padded
// channel-last copy (Hq x Wq x Cp floats, the image at (pad, pad)).
struct Plan {
  int64_t TH, TW, Hq, Wq, Cp, Fp, tiles, P, nb, chunks;
  std::vector<int64_t> rows;   // (nb * tiles,): tile t -> t Cp, its row of V
  std::vector<int64_t> chans;  // (Cp,): channel c -> c

  explicit Plan(const ConvDims& d)
      : TH((d.Hout + 1) / 2),
        TW((d.Wout + 1) / 2),
        Hq(2 * TH + 2),
        Wq(2 * TW + 2),
        Cp(avx512_padded(d.C)),
        Fp(avx512_padded(d.F)),
        tiles(TH * TW),
        P(d.Hout * d.Wout) {
    nb = std::max<int64_t>(1, (kChunkTiles + tiles - 1) / tiles);
    nb = std::min({nb, std::max<int64_t>(1, kMaxChunkFloats / (16 * (Cp + Fp) * tiles)), d.N});
    chunks = (d.N + nb - 1) / nb;
    rows.resize(static_cast<std::size_t>(nb * tiles));
    for (std::size_t t = 0; t < rows.size(); ++t) rows[t] = static_cast<int64_t>(t) * Cp;
    chans.resize(static_cast<std::size_t>(Cp));
    std::iota(chans.begin(), chans.end(), int64_t{0});
  }
  int64_t images_in(int64_t chunk, int64_t N) const { return std::min(nb, N - chunk * nb); }
  int64_t image() const { return Hq * Wq * Cp; }
  // Slot 0 of a task: the channel-last chunk and one image's transpose, later the outputs (or dout) position-major.
  int64_t slot0(const ConvDims& d, int64_t nc) const { return std::max(nc * image() + d.H * d.W * Cp, nc * P * Fp); }
};

// U[xi][c][f] = (G g G^T)[xi] of filter f, channel c (g at w + (f C + c) 9);
// zero for the padding channels and filters.
void filter_transform(const ConvDims& d, const Plan& p, const float* w, float* U) {
  std::fill(U, U + 16 * p.Cp * p.Fp, 0.0f);
  for (int64_t f = 0; f < d.F; ++f)
    for (int64_t c = 0; c < d.C; ++c) {
      const float* g = w + (f * d.C + c) * 9;
      float gg[4][3];  // G g
      for (int s = 0; s < 3; ++s) {
        gg[0][s] = g[s];
        gg[1][s] = 0.5f * (g[s] + g[3 + s] + g[6 + s]);
        gg[2][s] = 0.5f * (g[s] - g[3 + s] + g[6 + s]);
        gg[3][s] = g[6 + s];
      }
      for (int i = 0; i < 4; ++i) {
        const float u[4] = {gg[i][0], 0.5f * (gg[i][0] + gg[i][1] + gg[i][2]), 0.5f * (gg[i][0] - gg[i][1] + gg[i][2]),
                            gg[i][2]};
        for (int j = 0; j < 4; ++j) U[((i * 4 + j) * p.Cp + c) * p.Fp + f] = u[j];
      }
    }
}

// dw[f][c] = G^T dU[.][c][f] G.
void filter_gradient(const ConvDims& d, const Plan& p, const float* dU, float* dw) {
  for (int64_t f = 0; f < d.F; ++f)
    for (int64_t c = 0; c < d.C; ++c) {
      float gu[3][4];  // G^T dU
      for (int j = 0; j < 4; ++j) {
        float u[4];
        for (int i = 0; i < 4; ++i) u[i] = dU[((i * 4 + j) * p.Cp + c) * p.Fp + f];
        gu[0][j] = u[0] + 0.5f * (u[1] + u[2]);
        gu[1][j] = 0.5f * (u[1] - u[2]);
        gu[2][j] = 0.5f * (u[1] + u[2]) + u[3];
      }
      float* g = dw + (f * d.C + c) * 9;
      for (int r = 0; r < 3; ++r) {
        g[r * 3 + 0] = gu[r][0] + 0.5f * (gu[r][1] + gu[r][2]);
        g[r * 3 + 1] = 0.5f * (gu[r][1] - gu[r][2]);
        g[r * 3 + 2] = 0.5f * (gu[r][1] + gu[r][2]) + gu[r][3];
      }
    }
}

// Images [n0, n0 + nc) of x into xt, channel-last and zero-padded: each
// image transposed into tmp (H W x Cp), then copied a row at a time.
void channel_last(const ConvDims& d, const Plan& p, const float* x, int64_t n0, int64_t nc, float* xt, float* tmp) {
  const int64_t HW = d.H * d.W;
  std::memset(xt, 0, sizeof(float) * static_cast<std::size_t>(nc * p.image()));
  for (int64_t n = 0; n < nc; ++n) {
    avx512_rows(x + (n0 + n) * d.C * HW, 1, d.C, HW, p.Cp, tmp);
    for (int64_t h = 0; h < d.H; ++h)
      std::memcpy(xt + ((n * p.Hq + h + d.pad) * p.Wq + d.pad) * p.Cp, tmp + h * d.W * p.Cp,
                  sizeof(float) * static_cast<std::size_t>(d.W * p.Cp));
  }
}

#ifdef CONVLAB_HAVE_AVX2_KERNELS
#define CONVLAB_UNROLL _Pragma("GCC unroll 16")

// V[xi][t][c] = (B^T d B)[xi] for the tiles of nc images, 16 channels a vector:
// 16 loads of the window, 32 subtractions or additions, 16 stores.
CONVLAB_AVX512 void input_transform(const Plan& p, int64_t nc, const float* xt, float* V, int64_t T) {
  for (int64_t n = 0, t = 0; n < nc; ++n)
    for (int64_t th = 0; th < p.TH; ++th)
      for (int64_t tw = 0; tw < p.TW; ++tw, ++t) {
        const float* win = xt + ((n * p.Hq + 2 * th) * p.Wq + 2 * tw) * p.Cp;
        for (int64_t c = 0; c < p.Cp; c += 16) {
          __m512 r[4][4];  // the window's rows times B
          CONVLAB_UNROLL
          for (int i = 0; i < 4; ++i) {
            const float* row = win + i * p.Wq * p.Cp + c;
            const __m512 d0 = _mm512_loadu_ps(row), d1 = _mm512_loadu_ps(row + p.Cp);
            const __m512 d2 = _mm512_loadu_ps(row + 2 * p.Cp), d3 = _mm512_loadu_ps(row + 3 * p.Cp);
            r[i][0] = _mm512_sub_ps(d0, d2);
            r[i][1] = _mm512_add_ps(d1, d2);
            r[i][2] = _mm512_sub_ps(d2, d1);
            r[i][3] = _mm512_sub_ps(d1, d3);
          }
          float* v = V + t * p.Cp + c;
          const int64_t step = T * p.Cp;  // from one xi to the next
          CONVLAB_UNROLL
          for (int j = 0; j < 4; ++j) {
            _mm512_storeu_ps(v + (0 * 4 + j) * step, _mm512_sub_ps(r[0][j], r[2][j]));
            _mm512_storeu_ps(v + (1 * 4 + j) * step, _mm512_add_ps(r[1][j], r[2][j]));
            _mm512_storeu_ps(v + (2 * 4 + j) * step, _mm512_sub_ps(r[2][j], r[1][j]));
            _mm512_storeu_ps(v + (3 * 4 + j) * step, _mm512_sub_ps(r[1][j], r[3][j]));
          }
        }
      }
}

// The outputs of the tiles of nc images, ot[n P + position][f] = (A^T M[.][t][f] A),
// 16 filters a vector; positions past the output's last row or column are not stored.
CONVLAB_AVX512 void output_transform(const ConvDims& d, const Plan& p, int64_t nc, const float* M, int64_t T,
                                     float* ot) {
  const int64_t step = T * p.Fp;
  for (int64_t n = 0, t = 0; n < nc; ++n)
    for (int64_t th = 0; th < p.TH; ++th)
      for (int64_t tw = 0; tw < p.TW; ++tw, ++t)
        for (int64_t f = 0; f < p.Fp; f += 16) {
          const float* m = M + t * p.Fp + f;
          __m512 s[2][4];  // A^T M
          CONVLAB_UNROLL
          for (int j = 0; j < 4; ++j) {
            const __m512 m0 = _mm512_loadu_ps(m + (0 * 4 + j) * step), m1 = _mm512_loadu_ps(m + (1 * 4 + j) * step);
            const __m512 m2 = _mm512_loadu_ps(m + (2 * 4 + j) * step), m3 = _mm512_loadu_ps(m + (3 * 4 + j) * step);
            s[0][j] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
            s[1][j] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
          }
          for (int a = 0; a < 2; ++a) {
            const int64_t i = 2 * th + a, j = 2 * tw;
            if (i >= d.Hout) break;
            float* o = ot + (n * p.P + i * d.Wout + j) * p.Fp + f;
            _mm512_storeu_ps(o, _mm512_add_ps(_mm512_add_ps(s[a][0], s[a][1]), s[a][2]));
            if (j + 1 < d.Wout) _mm512_storeu_ps(o + p.Fp, _mm512_sub_ps(_mm512_sub_ps(s[a][1], s[a][2]), s[a][3]));
          }
        }
}

// dM[xi][t][f] = (A dy A^T)[xi] from the output gradients of the tiles of nc
// images, dy[n P + position][f] (zero past the output's edges), 16 filters a vector.
CONVLAB_AVX512 void gradient_transform(const ConvDims& d, const Plan& p, int64_t nc, const float* dy, float* dM,
                                       int64_t T) {
  const int64_t step = T * p.Fp;
  for (int64_t n = 0, t = 0; n < nc; ++n)
    for (int64_t th = 0; th < p.TH; ++th)
      for (int64_t tw = 0; tw < p.TW; ++tw, ++t)
        for (int64_t f = 0; f < p.Fp; f += 16) {
          __m512 y[2][2];
          for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) {
              const int64_t i = 2 * th + a, j = 2 * tw + b;
              y[a][b] = i < d.Hout && j < d.Wout ? _mm512_loadu_ps(dy + (n * p.P + i * d.Wout + j) * p.Fp + f)
                                                 : _mm512_setzero_ps();
            }
          const __m512 zero = _mm512_setzero_ps();
          __m512 r[4][2];  // A dy
          for (int b = 0; b < 2; ++b) {
            r[0][b] = y[0][b];
            r[1][b] = _mm512_add_ps(y[0][b], y[1][b]);
            r[2][b] = _mm512_sub_ps(y[0][b], y[1][b]);
            r[3][b] = _mm512_sub_ps(zero, y[1][b]);
          }
          float* m = dM + t * p.Fp + f;
          CONVLAB_UNROLL
          for (int i = 0; i < 4; ++i) {
            _mm512_storeu_ps(m + (i * 4 + 0) * step, r[i][0]);
            _mm512_storeu_ps(m + (i * 4 + 1) * step, _mm512_add_ps(r[i][0], r[i][1]));
            _mm512_storeu_ps(m + (i * 4 + 2) * step, _mm512_sub_ps(r[i][0], r[i][1]));
            _mm512_storeu_ps(m + (i * 4 + 3) * step, _mm512_sub_ps(zero, r[i][1]));
          }
        }
}
#else
void input_transform(const Plan&, int64_t, const float*, float*, int64_t) {
  throw Error("conv (cpu fast): the AVX-512 kernels are not built for this CPU");
}
void output_transform(const ConvDims&, const Plan&, int64_t, const float*, int64_t, float*) {
  throw Error("conv (cpu fast): the AVX-512 kernels are not built for this CPU");
}
void gradient_transform(const ConvDims&, const Plan&, int64_t, const float*, float*, int64_t) {
  throw Error("conv (cpu fast): the AVX-512 kernels are not built for this CPU");
}
#endif

// The Winograd domain of a chunk: the padded channel-last images (slot 0) and V (slot 1).
float* chunk_input(const ConvDims& d, const Plan& p, const float* x, int64_t n0, int64_t nc, float* slot0) {
  const int64_t T = nc * p.tiles;
  float* V = workspace<float>(1, 16 * T * p.Cp);
  channel_last(d, p, x, n0, nc, slot0, slot0 + nc * p.image());
  input_transform(p, nc, slot0, V, T);
  return V;
}

int64_t conv_work(const ConvDims& d) { return d.N * d.F * d.Hout * d.Wout * d.C * 9; }

// Whole tiles cover the output: 16 multiplications per tile against 9 per
// output, where Winograd must save at least a third to pay for its
// transforms. 3x3 outputs (4 tiles, 64 against 81) do not: measured 6.3 ms
// against 5.3 ms forward, 256 x 128 x 3 x 3 -> 128 filters, 2 threads.
bool tiles_pay(const ConvDims& d) {
  const int64_t tiles = ((d.Hout + 1) / 2) * ((d.Wout + 1) / 2);
  return 3 * 16 * tiles <= 2 * 9 * d.Hout * d.Wout;
}

}  // namespace

bool set_winograd_conv_enabled(bool on) { return g_enabled.exchange(on); }

bool winograd_conv_usable(const ConvDims& d) {
  return g_enabled.load() && d.HH == 3 && d.WW == 3 && d.pad <= 2 && d.C >= 16 && avx512_conv_usable(d) && tiles_pay(d);
}

bool winograd_conv_dx_usable(const ConvDims& d) {
  return winograd_conv_usable(d) && d.F >= 16 && avx512_conv_dx_usable(d);
}

bool winograd_conv_dw_usable(const ConvDims& d) { return winograd_conv_usable(d) && avx512_padded(d.F) >= 64; }

void winograd_conv_forward(const ConvDims& d, const float* x, const float* w, const float* b, float* out) {
  const Plan p(d);
  float* U = workspace<float>(3, 16 * p.Cp * p.Fp);  // the calling thread's slot 3; the tasks use 0 to 2
  filter_transform(d, p, w, U);
  CONVLAB_OMP(parallel for schedule(dynamic) if(p.chunks > 1 && worth_threads(conv_work(d))))
  for (int64_t ch = 0; ch < p.chunks; ++ch) {
    const int64_t n0 = ch * p.nb, nc = p.images_in(ch, d.N), T = nc * p.tiles;
    float* slot0 = workspace<float>(0, p.slot0(d, nc));
    const float* V = chunk_input(d, p, x, n0, nc, slot0);
    float* M = workspace<float>(2, 16 * T * p.Fp);
    for (int xi = 0; xi < 16; ++xi)
      avx512_tiles(V + xi * T * p.Cp, p.rows.data(), T, p.chans.data(), d.C, U + xi * p.Cp * p.Fp, p.Fp,
                   M + xi * T * p.Fp, false);
    float* ot = slot0;  // out^T [n P + position][f]
    output_transform(d, p, nc, M, T, ot);
    for (int64_t n = 0; n < nc; ++n)
      avx512_transpose(ot + n * p.P * p.Fp, p.Fp, p.P, d.F, out + (n0 + n) * d.F * p.P, p.P, b);
  }
}

void winograd_conv_dx(const ConvDims& d, const float* w, const float* dout, float* dx) {
  // dx = conv(dout, flipped and transposed w), padding 2 - pad (conv_direct.h's plan).
  const DirectDxPlan plan = direct_conv_dx_plan(d, w);
  winograd_conv_forward(plan.dims, dout, plan.w.data(), nullptr, dx);
}

void winograd_conv_dw(const ConvDims& d, const float* x, const float* dout, float* dw) {
  const Plan p(d);
  const int64_t size = 16 * p.Cp * p.Fp;
  std::vector<float> dU(static_cast<std::size_t>(size));
  sum_over_threads<float>(
      size, p.chunks > 1 && worth_threads(conv_work(d)),
      [&](float* mine) {  // dU [xi][c][f]
        CONVLAB_OMP(for schedule(dynamic))
        for (int64_t ch = 0; ch < p.chunks; ++ch) {
          const int64_t n0 = ch * p.nb, nc = p.images_in(ch, d.N), T = nc * p.tiles;
          float* slot0 = workspace<float>(0, p.slot0(d, nc));
          const float* V = chunk_input(d, p, x, n0, nc, slot0);
          float* dy = slot0;  // dout^T [n P + position][f], the padding filters zero
          avx512_rows(dout + n0 * d.F * p.P, nc, d.F, p.P, p.Fp, dy);
          float* dM = workspace<float>(2, 16 * T * p.Fp);
          gradient_transform(d, p, nc, dy, dM, T);
          for (int xi = 0; xi < 16; ++xi)
            avx512_tiles(V + xi * T * p.Cp, p.chans.data(), d.C, p.rows.data(), T, dM + xi * T * p.Fp, p.Fp,
                         mine + xi * p.Cp * p.Fp, true);
        }
      },
      [&](int64_t e, float s) { dU[static_cast<std::size_t>(e)] = s; });
  filter_gradient(d, p, dU.data(), dw);
}

}  // namespace convlab::threaded
