#include "host/ops/conv/conv_direct.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <type_traits>

#include "host/cpu/cpu_features.h"

#ifdef CONVLAB_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace convlab::threaded {

namespace {

std::atomic<bool> g_enabled{true};

// The zero-padded copy of one image: C planes of Hp rows, each row Wp
// floats. Wp leaves room for whole 8-float loads past the last output
// column (ceil(Wout / 8) * 8 + WW - 1) and from the last column (Wout + 7).
struct Padded {
  int64_t Hp, Wp;
  explicit Padded(const ConvDims& d)
      : Hp(d.H + 2 * d.pad), Wp(std::max({(d.Wout + 7) / 8 * 8 + d.WW - 1, d.W + 2 * d.pad, d.Wout + 7})) {}
  int64_t floats(const ConvDims& d) const { return d.C * Hp * Wp; }
};

}  // namespace

#ifdef CONVLAB_HAVE_AVX2_KERNELS
// Loops over the register tile must unroll completely, so that the
// accumulators live in registers rather than in a stack array.
#define CONVLAB_UNROLL _Pragma("GCC unroll 16")

namespace {

void pad_image(const ConvDims& d, const Padded& p, const float* x, float* xp) {
  std::memset(xp, 0, sizeof(float) * static_cast<std::size_t>(p.floats(d)));
  for (int64_t c = 0; c < d.C; ++c)
    for (int64_t h = 0; h < d.H; ++h)
      std::memcpy(xp + (c * p.Hp + h + d.pad) * p.Wp + d.pad, x + (c * d.H + h) * d.W, sizeof(float) * d.W);
}

// Lanes [0, n) set, for masked loads and stores of a partial chunk.
CONVLAB_AVX2 inline __m256i lane_mask(int64_t n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), idx);
}

CONVLAB_AVX2 inline float lane_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Where the JB chunks of 8 output columns of a forward tile lie.
struct Chunks {
  int64_t x_step, out_step;  // from one chunk to the next in xp and in out
  int64_t valid;             // columns stored of a masked chunk (8: whole)
  bool mask_all;             // every chunk masked (chunks in rows), else only the last
};
// Side by side along one output row.
Chunks along_row(int64_t valid) { return {8, 8, valid, false}; }
// One under the other, in consecutive output rows (rows of 8 or fewer columns).
Chunks down_rows(const ConvDims& d, const Padded& p, int64_t valid) { return {p.Wp, d.Wout, valid, true}; }

// FB filters x JB chunks of 8 output columns, the first at row i, column j0.
template <int FB, int JB>
CONVLAB_AVX2 void forward_tile(const ConvDims& d, const Padded& p, const float* xp, const float* w, const float* b,
                               int64_t f0, int64_t i, int64_t j0, const Chunks& ch, float* out) {
  __m256 acc[FB][JB];
  CONVLAB_UNROLL
  for (int f = 0; f < FB; ++f) CONVLAB_UNROLL
  for (int jb = 0; jb < JB; ++jb) acc[f][jb] = _mm256_setzero_ps();
  const int64_t K = d.C * d.HH * d.WW;
  for (int64_t c = 0; c < d.C; ++c)
    for (int64_t r = 0; r < d.HH; ++r) {
      const float* row = xp + (c * p.Hp + i + r) * p.Wp + j0;
      const float* wr = w + f0 * K + (c * d.HH + r) * d.WW;
      for (int64_t q = 0; q < d.WW; ++q) {
        __m256 xv[JB];
        CONVLAB_UNROLL
        for (int jb = 0; jb < JB; ++jb) xv[jb] = _mm256_loadu_ps(row + q + jb * ch.x_step);
        CONVLAB_UNROLL
        for (int f = 0; f < FB; ++f) {
          const __m256 wv = _mm256_broadcast_ss(wr + f * K + q);
          CONVLAB_UNROLL
          for (int jb = 0; jb < JB; ++jb) acc[f][jb] = _mm256_fmadd_ps(wv, xv[jb], acc[f][jb]);
        }
      }
    }
  const int64_t P = d.Hout * d.Wout;
  const __m256i tail = lane_mask(ch.valid);
  CONVLAB_UNROLL
  for (int f = 0; f < FB; ++f) {
    const __m256 bias = _mm256_set1_ps(b[f0 + f]);
    float* o = out + (f0 + f) * P + i * d.Wout + j0;
    CONVLAB_UNROLL
    for (int jb = 0; jb < JB; ++jb) {
      const __m256 v = _mm256_add_ps(acc[f][jb], bias);
      if ((ch.mask_all || jb == JB - 1) && ch.valid < 8)
        _mm256_maskstore_ps(o + jb * ch.out_step, tail, v);
      else
        _mm256_storeu_ps(o + jb * ch.out_step, v);
    }
  }
}

template <int FB>
CONVLAB_AVX2 void forward_filters(const ConvDims& d, const Padded& p, const float* xp, const float* w, const float* b,
                                  int64_t f0, float* out) {
  const int64_t chunks = (d.Wout + 7) / 8, last = d.Wout - 8 * (chunks - 1);
  if (chunks == 1) {  // rows of 8 columns or fewer: tiles of two rows
    int64_t i = 0;
    for (; i + 2 <= d.Hout; i += 2) forward_tile<FB, 2>(d, p, xp, w, b, f0, i, 0, down_rows(d, p, last), out);
    if (i < d.Hout) forward_tile<FB, 1>(d, p, xp, w, b, f0, i, 0, along_row(last), out);
    return;
  }
  for (int64_t i = 0; i < d.Hout; ++i) {
    int64_t ch = 0;
    for (; ch + 2 <= chunks; ch += 2)
      forward_tile<FB, 2>(d, p, xp, w, b, f0, i, 8 * ch, along_row(ch + 2 == chunks ? last : 8), out);
    if (ch < chunks) forward_tile<FB, 1>(d, p, xp, w, b, f0, i, 8 * ch, along_row(last), out);
  }
}

// FB filters x QB taps (c, r, q0 .. q0 + QB - 1), summed over the image.
template <int FB, int QB>
CONVLAB_AVX2 void dw_tile(const ConvDims& d, const Padded& p, const float* xp, const float* dout, int64_t f0, int64_t c,
                          int64_t r, int64_t q0, float* dw) {
  __m256 acc[FB][QB];
  CONVLAB_UNROLL
  for (int f = 0; f < FB; ++f) CONVLAB_UNROLL
  for (int t = 0; t < QB; ++t) acc[f][t] = _mm256_setzero_ps();
  const int64_t P = d.Hout * d.Wout, chunks = (d.Wout + 7) / 8, last = d.Wout - 8 * (chunks - 1);
  const __m256i tail = lane_mask(last);
  for (int64_t i = 0; i < d.Hout; ++i) {
    const float* row = xp + (c * p.Hp + i + r) * p.Wp + q0;
    const float* dy = dout + f0 * P + i * d.Wout;
    for (int64_t ch = 0; ch < chunks; ++ch) {
      const int64_t j = 8 * ch;
      __m256 xv[QB];
      CONVLAB_UNROLL
      for (int t = 0; t < QB; ++t) xv[t] = _mm256_loadu_ps(row + j + t);
      CONVLAB_UNROLL
      for (int f = 0; f < FB; ++f) {
        // Columns past Wout read as 0, so they add nothing.
        const __m256 g = ch + 1 < chunks ? _mm256_loadu_ps(dy + f * P + j) : _mm256_maskload_ps(dy + f * P + j, tail);
        CONVLAB_UNROLL
        for (int t = 0; t < QB; ++t) acc[f][t] = _mm256_fmadd_ps(g, xv[t], acc[f][t]);
      }
    }
  }
  const int64_t K = d.C * d.HH * d.WW;
  CONVLAB_UNROLL
  for (int f = 0; f < FB; ++f) CONVLAB_UNROLL
  for (int t = 0; t < QB; ++t) dw[(f0 + f) * K + (c * d.HH + r) * d.WW + q0 + t] += lane_sum(acc[f][t]);
}

// Filters up to 8 wide (WW <= 8): the taps q = 0..WW-1 of a filter row go
// in the lanes of one vector, so no lane sums are needed. FB filters x RB
// filter rows (r0 .. r0 + RB - 1) of channel c, swept over every output
// position (i, j): acc[f][t] += dout[f, i, j] * xp[c, i + r0 + t, j .. j + 7].
// Lanes q >= WW hold products that are dropped at the end.
template <int FB, int RB>
CONVLAB_AVX2 void dw_lane_tile(const ConvDims& d, const Padded& p, const float* xp, const float* dout, int64_t f0,
                               int64_t c, int64_t r0, float* dw) {
  __m256 acc[FB][RB];
  CONVLAB_UNROLL
  for (int f = 0; f < FB; ++f) CONVLAB_UNROLL
  for (int t = 0; t < RB; ++t) acc[f][t] = _mm256_setzero_ps();
  const int64_t P = d.Hout * d.Wout;
  for (int64_t i = 0; i < d.Hout; ++i) {
    const float* row = xp + (c * p.Hp + i + r0) * p.Wp;
    const float* dy = dout + f0 * P + i * d.Wout;
    for (int64_t j = 0; j < d.Wout; ++j) {
      __m256 xv[RB];
      CONVLAB_UNROLL
      for (int t = 0; t < RB; ++t) xv[t] = _mm256_loadu_ps(row + t * p.Wp + j);
      CONVLAB_UNROLL
      for (int f = 0; f < FB; ++f) {
        const __m256 g = _mm256_broadcast_ss(dy + f * P + j);
        CONVLAB_UNROLL
        for (int t = 0; t < RB; ++t) acc[f][t] = _mm256_fmadd_ps(g, xv[t], acc[f][t]);
      }
    }
  }
  const int64_t K = d.C * d.HH * d.WW;
  alignas(32) float lanes[8];
  CONVLAB_UNROLL
  for (int f = 0; f < FB; ++f) CONVLAB_UNROLL
  for (int t = 0; t < RB; ++t) {
    _mm256_store_ps(lanes, acc[f][t]);
    float* out = dw + (f0 + f) * K + (c * d.HH + r0 + t) * d.WW;
    for (int64_t q = 0; q < d.WW; ++q) out[q] += lanes[q];
  }
}

template <int FB>
CONVLAB_AVX2 void dw_lane_filters(const ConvDims& d, const Padded& p, const float* xp, const float* dout, int64_t f0,
                                  float* dw) {
  for (int64_t c = 0; c < d.C; ++c)
    // Filter rows in groups of 3, a remainder of 1 after a group taken as 2 + 2.
    for (int64_t r = 0; r < d.HH;) {
      const int64_t rest = d.HH - r;
      const int64_t rb = rest >= 3 && rest != 4 ? 3 : std::min<int64_t>(rest, 2);
      switch (rb) {
        case 3:
          dw_lane_tile<FB, 3>(d, p, xp, dout, f0, c, r, dw);
          break;
        case 2:
          dw_lane_tile<FB, 2>(d, p, xp, dout, f0, c, r, dw);
          break;
        default:
          dw_lane_tile<FB, 1>(d, p, xp, dout, f0, c, r, dw);
          break;
      }
      r += rb;
    }
}

template <int FB>
CONVLAB_AVX2 void dw_filters(const ConvDims& d, const Padded& p, const float* xp, const float* dout, int64_t f0,
                             float* dw) {
  for (int64_t c = 0; c < d.C; ++c)
    for (int64_t r = 0; r < d.HH; ++r) {
      // Taps in groups of 3; a remainder of 1 after a group is taken as 2 + 2
      // (a 1-tap tile has too few accumulators to keep the FMA units busy).
      int64_t q = 0;
      for (; d.WW - q >= 3 && d.WW - q != 4; q += 3) dw_tile<FB, 3>(d, p, xp, dout, f0, c, r, q, dw);
      for (; d.WW - q >= 2; q += 2) dw_tile<FB, 2>(d, p, xp, dout, f0, c, r, q, dw);
      if (q < d.WW) dw_tile<FB, 1>(d, p, xp, dout, f0, c, r, q, dw);
    }
}

}  // namespace

void direct_conv_forward_image(const ConvDims& d, const float* x, const float* w, const float* b, float* out,
                               float* scratch) {
  const Padded p(d);
  pad_image(d, p, x, scratch);
  // Blocks of 6 filters; the last 7 to 11 are split into two blocks of at
  // least 3 (32 = 6 + 6 + 6 + 6 + 4 + 4), so no thin block is left over.
  int64_t f = 0;
  while (f < d.F) {
    const int64_t rest = d.F - f;
    const int64_t fb = rest >= 12 || rest <= 6 ? std::min<int64_t>(rest, 6) : (rest + 1) / 2;
    switch (fb) {
      case 6:
        forward_filters<6>(d, p, scratch, w, b, f, out);
        break;
      case 5:
        forward_filters<5>(d, p, scratch, w, b, f, out);
        break;
      case 4:
        forward_filters<4>(d, p, scratch, w, b, f, out);
        break;
      case 3:
        forward_filters<3>(d, p, scratch, w, b, f, out);
        break;
      case 2:
        forward_filters<2>(d, p, scratch, w, b, f, out);
        break;
      default:
        forward_filters<1>(d, p, scratch, w, b, f, out);
        break;
    }
    f += fb;
  }
}

namespace {

// Calls block(FB, f0) for the filters in blocks of FB = 4 from f0, the last
// block smaller; FB comes as a std::integral_constant.
template <class Block>
void in_blocks_of_4(int64_t F, Block&& block) {
  int64_t f = 0;
  for (; f + 4 <= F; f += 4) block(std::integral_constant<int, 4>{}, f);
  switch (F - f) {
    case 3:
      block(std::integral_constant<int, 3>{}, f);
      break;
    case 2:
      block(std::integral_constant<int, 2>{}, f);
      break;
    case 1:
      block(std::integral_constant<int, 1>{}, f);
      break;
    default:
      break;
  }
}

}  // namespace

void direct_conv_dw_image(const ConvDims& d, const float* x, const float* dout, float* dw, float* scratch) {
  const Padded p(d);
  pad_image(d, p, x, scratch);
  if (d.WW >= 5 && d.WW <= 8)  // taps in vector lanes (narrower filters would leave most lanes idle)
    in_blocks_of_4(d.F,
                   [&](auto fb, int64_t f0) { dw_lane_filters<decltype(fb)::value>(d, p, scratch, dout, f0, dw); });
  else
    in_blocks_of_4(d.F, [&](auto fb, int64_t f0) { dw_filters<decltype(fb)::value>(d, p, scratch, dout, f0, dw); });
}

#else  // no x86-64 AVX2 path in this build

void direct_conv_forward_image(const ConvDims&, const float*, const float*, const float*, float*, float*) {
  throw Error("conv (cpu fast): the direct AVX2 kernels are not built for this CPU");
}
void direct_conv_dw_image(const ConvDims&, const float*, const float*, float*, float*) {
  throw Error("conv (cpu fast): the direct AVX2 kernels are not built for this CPU");
}

#endif

bool direct_conv_supported() { return cpu_has_avx2_fma(); }

bool set_direct_conv_enabled(bool on) { return g_enabled.exchange(on); }

bool direct_conv_usable(const ConvDims& d) {
  // Where the direct kernels beat im2col + OpenBLAS SGEMM (measured on the
  // airbench and ThreeLayerConvNet shapes, bench/results/airbench-cpu-*.json):
  // few filters (F <= 32: the GEMM's M is too small for its blocking, the
  // 6-filter register tiles are not) or wide filters (5x5 and up: a large
  // im2col matrix). With 64 and more filters of 3x3, GEMM wins, by 2-4x on
  // the backward pass at 7x7 and 3x3 pixels.
  const bool shape_suits = d.F <= 32 || d.HH >= 5 || d.WW >= 5;
  return g_enabled.load() && shape_suits && d.stride == 1 && d.Hout > 0 && d.Wout > 0 && direct_conv_supported();
}

int64_t direct_conv_scratch(const ConvDims& d) { return Padded(d).floats(d); }

bool direct_conv_dx_usable(const ConvDims& d) {
  // The dx conv has C filters: the shape rule of direct_conv_usable on those.
  const bool transposed_suits = d.C <= 32 || d.HH >= 5 || d.WW >= 5;
  return direct_conv_usable(d) && transposed_suits && d.HH == d.WW && d.pad <= d.HH - 1 && d.H > 0 && d.W > 0;
}

DirectDxPlan direct_conv_dx_plan(const ConvDims& d, const float* w) {
  DirectDxPlan p;
  p.dims = d;
  p.dims.C = d.F, p.dims.H = d.Hout, p.dims.W = d.Wout;
  p.dims.F = d.C, p.dims.Hout = d.H, p.dims.Wout = d.W;
  p.dims.pad = static_cast<int>(d.HH - 1 - d.pad);
  p.w.resize(static_cast<std::size_t>(d.F * d.C * d.HH * d.WW));
  for (int64_t f = 0; f < d.F; ++f)
    for (int64_t c = 0; c < d.C; ++c)
      for (int64_t r = 0; r < d.HH; ++r)
        for (int64_t q = 0; q < d.WW; ++q)
          p.w[((c * d.F + f) * d.HH + r) * d.WW + q] =
              w[((f * d.C + c) * d.HH + (d.HH - 1 - r)) * d.WW + (d.WW - 1 - q)];
  p.zero_bias.assign(static_cast<std::size_t>(d.C), 0.0f);
  return p;
}

void direct_conv_dx_image(const DirectDxPlan& plan, const float* dout, float* dx, float* scratch) {
  direct_conv_forward_image(plan.dims, dout, plan.w.data(), plan.zero_bias.data(), dx, scratch);
}

}  // namespace convlab::threaded
