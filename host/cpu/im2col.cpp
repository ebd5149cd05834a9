#include "host/cpu/im2col.h"

#include <algorithm>

namespace convlab::threaded {

namespace {

// Output indices j in [0, out) whose input j * stride + offset lies in [0, in):
// the range [lo, hi), so the inner loops need no bounds test.
struct Range {
  int64_t lo, hi;
};
Range valid_range(int64_t out, int64_t in, int64_t offset, int64_t stride) {
  const int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t last = in - 1 - offset;  // largest j * stride allowed
  const int64_t hi = last < 0 ? 0 : std::min(out, last / stride + 1);
  return {std::min(lo, hi), hi};
}

}  // namespace

// Row k of the tile is written in runs along output rows i: zeros where the
// window falls into the padding, a copy (stride 1) or strided gather of one
// input row otherwise.
template <class T>
void im2col_tile(const ConvDims& d, const T* x, int64_t n, int64_t p0, int64_t np, T* cols, int64_t ld) {
  const int64_t K = d.C * d.HH * d.WW, s = d.stride, end = p0 + np;
  for (int64_t k = 0; k < K; ++k) {
    const int64_t c = k / (d.HH * d.WW), r = (k / d.WW) % d.HH, q = k % d.WW;
    const T* plane = x + (n * d.C + c) * d.H * d.W;
    T* dst = cols + k * ld;
    const Range rj = valid_range(d.Wout, d.W, q - d.pad, s);
    const int64_t off = q - d.pad;  // input column of output j: j * s + off
    for (int64_t p = p0; p < end;) {
      const int64_t i = p / d.Wout, j0 = p % d.Wout, j1 = std::min(d.Wout, j0 + (end - p));
      T* row = dst + (p - p0);  // row[j - j0] is output (i, j)
      const int64_t h = i * s + r - d.pad;
      if (h < 0 || h >= d.H) {
        std::fill(row, row + (j1 - j0), T(0));
      } else {
        const T* src = plane + h * d.W;
        const int64_t lo = std::clamp(rj.lo, j0, j1), hi = std::clamp(rj.hi, lo, j1);
        std::fill(row, row + (lo - j0), T(0));
        if (s == 1) {
          if (hi > lo) std::copy(src + (lo + off), src + (hi + off), row + (lo - j0));
        } else {
          for (int64_t j = lo; j < hi; ++j) row[j - j0] = src[j * s + off];
        }
        std::fill(row + (hi - j0), row + (j1 - j0), T(0));
      }
      p += j1 - j0;
    }
  }
}

template <class T>
void col2im_plane(const ConvDims& d, const T* dcols, int64_t ld, T* dx_plane) {
  const int64_t s = d.stride;
  for (int64_t r = 0; r < d.HH; ++r)
    for (int64_t q = 0; q < d.WW; ++q) {
      const T* src = dcols + (r * d.WW + q) * ld;
      const Range ri = valid_range(d.Hout, d.H, r - d.pad, s);
      const Range rj = valid_range(d.Wout, d.W, q - d.pad, s);
      const int64_t off = q - d.pad;
      for (int64_t i = ri.lo; i < ri.hi; ++i) {
        const T* row = src + i * d.Wout;
        T* out = dx_plane + (i * s + r - d.pad) * d.W;
        for (int64_t j = rj.lo; j < rj.hi; ++j) out[j * s + off] += row[j];
      }
    }
}

template void im2col_tile<float>(const ConvDims&, const float*, int64_t, int64_t, int64_t, float*, int64_t);
template void im2col_tile<double>(const ConvDims&, const double*, int64_t, int64_t, int64_t, double*, int64_t);
template void col2im_plane<float>(const ConvDims&, const float*, int64_t, float*);
template void col2im_plane<double>(const ConvDims&, const double*, int64_t, double*);

}  // namespace convlab::threaded
