// im2col / col2im for the "gemm" conv variant. For a chunk of nb images
// starting at image n0, col is laid out [nb][K][P] with K = C*HH*WW (c, kh,
// kw; kw fastest) and P = Hout*Wout (i, j; j fastest), so that per image
// out = w (F x K) * col (K x P).
#pragma once
#include <cstdint>

#include "host/ops/conv/conv.h"

namespace convlab::cuda {

// col[nl][k][p] = x[n0 + nl] at the tap (k, p), 0 in the padding.
template <class T>
void im2col(const T* x, const ConvDims& d, int64_t n0, int64_t nb, T* col);

// dx[n0 + nl] = the sum, over every (k, p) that reads an input element, of col[nl][k][p].
template <class T>
void col2im(const T* col, const ConvDims& d, int64_t n0, int64_t nb, T* dx);

}  // namespace convlab::cuda
