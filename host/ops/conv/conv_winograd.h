// Winograd F(2x2, 3x3) convolution for float32 on AVX-512: 3x3 filters,
// stride 1, padding 0 to 2, 16 input channels or more. A 2x2 block of
// outputs ("tile") costs 16 multiplications per (channel, filter) pair in
// place of 36, for 2.25x fewer FLOPs than the direct kernels (conv_avx512.h).
//
//   U[xi][c][f] = (G g[f][c] G^T)[xi]              (filters, once per call)
//   V[xi][t][c] = (B^T d[t][c] B)[xi]              (the 4x4 input window of tile t)
//   M[xi][t][f] = sum_c V[xi][t][c] U[xi][c][f]    (16 GEMMs, one per xi)
//   y[t][f]     = A^T M[.][t][f] A                 (the 2x2 outputs of tile t)
//
// with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; 1/2 1/2 1/2;
// 1/2 -1/2 1/2; 0 0 1], A^T = [1 1 1 0; 0 1 -1 -1] (Lavin and Gray, 2015).
//
// Layout: a chunk of images (about 64 tiles, V and M within about 1 MiB of
// the core's L2) is transposed channel-last and zero-padded; the transforms
// run on 16 channels (or filters) per vector, and the GEMMs are the direct
// kernels' register tiles (6 tiles x 64 filters, avx512_tiles) with the
// channels as the reduction. The outputs of a chunk, position-major, are
// transposed back into NCHW with the bias. One chunk per task.
// dx:  the same forward on dout with the flipped, transposed filters.
// dw:  dU[xi][c][f] = sum_t V[xi][t][c] dM[xi][t][f], dM = A dy A^T per tile,
//      summed per thread over chunks; dw = G^T dU G.
//
// Used (forward) when winograd_conv_usable(d) holds: AVX-512 at run
// time, float32, 3x3, stride 1, pad <= 2, C >= 16, and F a multiple of 16 or
// padded to one as the direct kernels pad it; dx when winograd_conv_dx_usable(d)
// holds (the same of the dx conv: F >= 16, C such a count of filters), dw
// when winograd_conv_dw_usable(d) holds.
#pragma once
#include "host/ops/conv/conv.h"

namespace convlab::threaded {

bool winograd_conv_usable(const ConvDims& d);
bool winograd_conv_dx_usable(const ConvDims& d);
// dw when usable and the GEMMs' tiles are full-width (64 filters or more): with 32
// filters the direct dw was faster (measured: 24 -> 32 filters on 32x32 images,
// 256 images, 2 threads: 31.8 ms against 26.6 ms; 128 -> 128 on 8x8: 24.8 against 32.8).
bool winograd_conv_dw_usable(const ConvDims& d);
// Tests switch the kernels off to compare with the direct ones; returns the previous setting.
bool set_winograd_conv_enabled(bool on);

// Whole batch, threaded over chunks of images. out (N, F, Hout, Wout), dx and dw overwritten.
void winograd_conv_forward(const ConvDims& d, const float* x, const float* w, const float* b, float* out);
void winograd_conv_dx(const ConvDims& d, const float* w, const float* dout, float* dx);
void winograd_conv_dw(const ConvDims& d, const float* x, const float* dout, float* dw);

}  // namespace convlab::threaded
