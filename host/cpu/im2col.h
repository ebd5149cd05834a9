// im2col / col2im pieces for the tiled GEMM convolution (serial: each call
// is one task of a parallel loop).
//
// Column tile layout, row-major (K, ld): K = C * HH * WW rows, row
// k = (c * HH + r) * WW + q holds, for the output positions p in
// [p0, p0 + np) of image n (p = i * Wout + j), the input
// x[n, c, i*stride + r - pad, j*stride + q - pad] (0 in the padding).
// Then out[n, :, p0:p0+np] = w (F, K) * tile. Tiles of several whole images
// place them side by side (ld = images * P).
#pragma once
#include <cstdint>

#include "host/ops/conv/conv.h"

namespace convlab::threaded {

// Fills columns [0, np) of cols (K rows, row stride ld) for output
// positions [p0, p0 + np) of image n of x.
template <class T>
void im2col_tile(const ConvDims& d, const T* x, int64_t n, int64_t p0, int64_t np, T* cols, int64_t ld);

// Adds dcols (HH * WW rows of P columns, row stride ld) - the column rows of
// one channel for all P output positions of one image - into that channel's
// input plane dx_plane (H, W): the transpose of im2col.
template <class T>
void col2im_plane(const ConvDims& d, const T* dcols, int64_t ld, T* dx_plane);

}  // namespace convlab::threaded
