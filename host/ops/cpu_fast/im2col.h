// im2col / col2im for the GEMM convolution of a chunk of images.
//
// Column matrix layout, row-major (K, nb * P): K = C * HH * WW rows, row
// k = (c * HH + r) * WW + q holds, for every image n of the chunk and output
// position p = i * Wout + j, the input x[n, c, i*stride + r - pad, j*stride + q - pad]
// (0 in the padding). With it conv is one GEMM: out(F, nb*P) = w(F, K) * cols.
#pragma once
#include <cstdint>

#include "host/ops/conv.h"

namespace convlab::fast {

// Fills cols (K, nb * P) from images [n0, n0 + nb) of x (N, C, H, W).
template <class T>
void im2col(const ConvDims& d, const T* x, int64_t n0, int64_t nb, T* cols);

// Adds the columns back into dx (images [n0, n0 + nb)): the transpose of im2col.
template <class T>
void col2im_add(const ConvDims& d, const T* cols, int64_t n0, int64_t nb, T* dx);

}  // namespace convlab::fast
