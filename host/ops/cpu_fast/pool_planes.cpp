#include "host/ops/cpu_fast/pool_planes.h"

#include <algorithm>

#include "host/ops/cpu_fast/parallel.h"

namespace convlab::fast {

// One plane per task. For each output row
// the windows are scanned together: row i of out/argmax starts as each
// window's top-left element, then for every other window offset (r, q), in
// row-major order, each window keeps the larger value (ties keep the
// earlier). The inner loop runs across independent windows, so it has no
// dependency chain and no branches.
template <class T>
void pool_planes(const PoolDims& d, const T* x, T* out, int32_t* argmax) {
  const int64_t planes = d.N * d.C, HW = d.H * d.W, P = d.Hout * d.Wout;
  const int64_t W = d.W, Hout = d.Hout, Wout = d.Wout, s = d.stride, ph = d.ph, pw = d.pw;
  CONVLAB_OMP(parallel for schedule(static) if(worth_threads(planes * P * ph * pw)))
  for (int64_t pl = 0; pl < planes; ++pl) {
    const T* plane = x + pl * HW;
    for (int64_t i = 0; i < Hout; ++i) {
      T* o = out + pl * P + i * Wout;
      int32_t* am = argmax + pl * P + i * Wout;
      const int64_t top = i * s * W;
      for (int64_t j = 0; j < Wout; ++j) {
        o[j] = plane[top + j * s];
        am[j] = int32_t(top + j * s);
      }
      for (int64_t r = 0; r < ph; ++r)
        for (int64_t q = (r == 0 ? 1 : 0); q < pw; ++q) {
          const int64_t off = top + r * W + q;
          const T* src = plane + off;
          for (int64_t j = 0; j < Wout; ++j) {
            const T v = src[j * s];
            const int32_t greater = v > o[j];
            o[j] = std::max(o[j], v);  // keeps o[j] unless v is greater, like `greater`
            am[j] += (int32_t(off + j * s) - am[j]) * greater;  // arithmetic select: no branch to mispredict
          }
        }
    }
  }
}


template void pool_planes<float>(const PoolDims&, const float*, float*, int32_t*);
template void pool_planes<double>(const PoolDims&, const double*, double*, int32_t*);

}  // namespace convlab::fast
