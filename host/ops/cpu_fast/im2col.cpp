#include "host/ops/cpu_fast/im2col.h"

#include <algorithm>

#include "host/ops/cpu_fast/parallel.h"

namespace convlab::fast {

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

// Parallel over (row k, image n): each task writes one contiguous run of P
// column entries, reading one input plane row by row.
template <class T>
void im2col(const ConvDims& d, const T* x, int64_t n0, int64_t nb, T* cols) {
  const int64_t K = d.C * d.HH * d.WW, P = d.Hout * d.Wout, s = d.stride;
  CONVLAB_OMP(parallel for collapse(2) schedule(static) if(worth_threads(K * nb * P)))
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < nb; ++n) {
      const int64_t c = k / (d.HH * d.WW), r = (k / d.WW) % d.HH, q = k % d.WW;
      const T* plane = x + ((n0 + n) * d.C + c) * d.H * d.W;
      T* dst = cols + (k * nb + n) * P;
      const Range ri = valid_range(d.Hout, d.H, r - d.pad, s);
      const Range rj = valid_range(d.Wout, d.W, q - d.pad, s);
      std::fill(dst, dst + ri.lo * d.Wout, T(0));
      for (int64_t i = ri.lo; i < ri.hi; ++i) {
        T* row = dst + i * d.Wout;
        const T* src = plane + (i * s + r - d.pad) * d.W;
        const int64_t off = q - d.pad;  // src column of output j: j * s + off
        std::fill(row, row + rj.lo, T(0));
        if (s == 1 && rj.hi > rj.lo) {
          std::copy(src + rj.lo + off, src + rj.hi + off, row + rj.lo);
        } else if (s != 1) {
          for (int64_t j = rj.lo; j < rj.hi; ++j) row[j] = src[j * s + off];
        }
        std::fill(row + rj.hi, row + d.Wout, T(0));
      }
      std::fill(dst + ri.hi * d.Wout, dst + P, T(0));
    }
}

// Parallel over input planes (image n, channel c): a task owns its plane of
// dx, so the overlapping windows add up without races.
template <class T>
void col2im_add(const ConvDims& d, const T* cols, int64_t n0, int64_t nb, T* dx) {
  const int64_t P = d.Hout * d.Wout, s = d.stride;
  CONVLAB_OMP(parallel for collapse(2) schedule(static) if(worth_threads(d.C * d.HH * d.WW * nb * P)))
  for (int64_t n = 0; n < nb; ++n)
    for (int64_t c = 0; c < d.C; ++c) {
      T* plane = dx + ((n0 + n) * d.C + c) * d.H * d.W;
      for (int64_t r = 0; r < d.HH; ++r)
        for (int64_t q = 0; q < d.WW; ++q) {
          const int64_t k = (c * d.HH + r) * d.WW + q;
          const T* src = cols + (k * nb + n) * P;
          const Range ri = valid_range(d.Hout, d.H, r - d.pad, s);
          const Range rj = valid_range(d.Wout, d.W, q - d.pad, s);
          for (int64_t i = ri.lo; i < ri.hi; ++i) {
            const T* row = src + i * d.Wout;
            T* out = plane + (i * s + r - d.pad) * d.W;
            const int64_t off = q - d.pad;
            for (int64_t j = rj.lo; j < rj.hi; ++j) out[j * s + off] += row[j];
          }
        }
    }
}

template void im2col<float>(const ConvDims&, const float*, int64_t, int64_t, float*);
template void im2col<double>(const ConvDims&, const double*, int64_t, int64_t, double*);
template void col2im_add<float>(const ConvDims&, const float*, int64_t, int64_t, float*);
template void col2im_add<double>(const ConvDims&, const double*, int64_t, int64_t, double*);

}  // namespace convlab::fast
