// Device helpers shared by the max_pool variants.
#pragma once
#include <cstdint>

#include "host/ops/max_pool.h"
#include "kernels/runtime/launch.h"

namespace convlab::cuda {

// Flat index (h * W + w) in the H x W plane of the first maximum, in
// row-major window order, of window (i, j) of the plane starting at `plane`.
template <class T>
__device__ __forceinline__ int32_t window_argmax(const T* __restrict__ plane, const PoolDims& d, int64_t i, int64_t j,
                                                 T* max_out) {
  const int64_t hs = i * d.stride, ws = j * d.stride;
  int64_t best = hs * d.W + ws;
  T m = plane[best];
  for (int ph = 0; ph < d.ph; ++ph)
    for (int pw = 0; pw < d.pw; ++pw) {
      const int64_t idx = (hs + ph) * d.W + ws + pw;
      const T v = plane[idx];
      if (v > m) {
        m = v;
        best = idx;
      }
    }
  *max_out = m;
  return static_cast<int32_t>(best);
}

// The range [lo, hi] of window rows i (or columns) whose window covers
// position h, for windows of `size` at `stride` and `count` windows.
__device__ __forceinline__ void covering_windows(int64_t h, int size, int stride, int64_t count, int64_t& lo,
                                                 int64_t& hi) {
  lo = h - size + 1 <= 0 ? 0 : ceil_div(h - size + 1, stride);
  hi = h / stride;
  if (hi > count - 1) hi = count - 1;
}

}  // namespace convlab::cuda
