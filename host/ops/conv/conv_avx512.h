// Direct convolution with AVX-512 register tiles and the filters in the
// vector lanes, for float32, stride 1 and 16, 24, 32, 48, ... filters: the 3x3
// convs of airbench and the usual small-image nets (32 to 256 filters on
// 31x31 down to 3x3 pixels), where im2col + GEMM and the row-vectorised AVX2
// kernels (conv_direct.h) leave much of the machine idle.
//
// Layout: a chunk of images is copied zero-padded (C planes of Hp x Wp).
// Tap k = (c, r, q) of output position t = (n, i, j) of the chunk reads
// xp[base(t) + off(k)], base(t) = n C Hp Wp + i Wp + j, off(k) = c Hp Wp +
// r Wp + q: any set of positions, across images, with the same offsets. The
// filters are repacked once per call as wt[k][f].
//
// forward: tile = 6 output positions x 64 filters (24 zmm accumulators);
//   per tap 4 loads of wt[k][f0 .. f0 + 63] and 6 broadcasts of xp, 24 FMAs.
//   Positions run across the images of a chunk (at least ~96 positions), so
//   3x3 images keep the tiles full. The tile is stored position-major and
//   transposed into NCHW with the bias. One chunk per task.
// dw:  the same kernel with the roles swapped: 6 taps x 64 filters summed
//   over the chunk's positions (per position one row dout^T[t][f0 .. f0 + 63]
//   and 6 broadcasts xp[base(t) + off(k_i)]), into a per-thread dw^T.
// dx:  the forward kernel on dout with the filters flipped and transposed
//   (C outputs, padding HH - 1 - pad), for square filters and C a count
//   the filters may have.
//
// Used when avx512_conv_usable(d) holds: the CPU has AVX-512F (checked at run
// time; the library stays built for the baseline x86-64), float32, stride 1,
// F a multiple of 16, or, when the reduction C HH WW has 64 taps or more,
// padded to one with zero filters at a cost of at most a quarter (24 -> 32,
// 40 -> 48, ...; not 8 -> 16): the padded filters' outputs and gradients are
// computed and dropped.
#pragma once
#include "host/ops/conv/conv.h"

namespace convlab::threaded {

bool avx512_conv_usable(const ConvDims& d);
// dx by these kernels too: usable, square filter, pad <= HH - 1, C a multiple of 16 or padded as F is.
bool avx512_conv_dx_usable(const ConvDims& d);
// Tests switch the kernels off to compare with the other paths; returns the previous setting.
bool set_avx512_conv_enabled(bool on);

// Whole batch, threaded over chunks of images. out (N, F, Hout, Wout), dw and dx overwritten.
void avx512_conv_forward(const ConvDims& d, const float* x, const float* w, const float* b, float* out);
void avx512_conv_dw(const ConvDims& d, const float* x, const float* dout, float* dw);
void avx512_conv_dx(const ConvDims& d, const float* w, const float* dout, float* dx);

// The building blocks, shared with the Winograd kernels (conv_winograd.h);
// they throw where the AVX-512 kernels are not built.
// out[r][f] = sum_t xp[rows_at[r] + s[t]] * w[t][f] for r < count, f < F (a multiple
// of 16; w and out rows F apart), by tiles of 6 rows x 64 filters; added to out when `add`.
void avx512_tiles(const float* xp, const int64_t* rows_at, int64_t count, const int64_t* s, int64_t T, const float* w,
                  int64_t F, float* out, bool add);
// dst[c * ldd + r] = src[r * lds + c] (+ bias[c] when given) for r < rows, c < cols.
void avx512_transpose(const float* src, int64_t lds, int64_t rows, int64_t cols, float* dst, int64_t ldd,
                      const float* bias);
// dst[(n P + q) Rp + r] = src[(n R + r) P + q]: nc images of R planes of P values as
// position-major rows of Rp >= R floats, the last Rp - R of each zero.
void avx512_rows(const float* src, int64_t nc, int64_t R, int64_t P, int64_t Rp, float* dst);
// Filters padded to a multiple of 16 (the vector lanes) with zero filters.
inline int64_t avx512_padded(int64_t F) { return (F + 15) / 16 * 16; }

}  // namespace convlab::threaded
