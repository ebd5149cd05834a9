// Test-time-augmentation views: a shift by (dy, dx) with one pixel of
// reflect padding, then an optional left-right mirror (host/ops/tta/tta_views.h).
//
// Parallel decomposition: a 1-D grid-stride loop over the N*C*H*W output
// elements, one per thread per pass (launch_n). Memory access: writes are
// coalesced; reads are a row of the same plane read forwards (or backwards
// when mirrored), so a warp still reads one contiguous span; the optional
// mean image (C*H*W) is read the same way and stays in L2.
#include "host/data/augment_sample.h"  // reflect_index
#include "kernels/runtime/launch.cuh"
#include "kernels/tta/tta_views.h"

namespace convlab::kernels {

namespace {

template <class T>
__global__ void tta_view_kernel(const T* __restrict__ x, const T* __restrict__ mean, T* __restrict__ out, int64_t total,
                                int64_t C, int64_t H, int64_t W, bool flip, int dy, int dx) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t w = i % W;
    const int64_t h = (i / W) % H;
    const int64_t plane = i / (H * W);
    const int64_t sw = reflect_index((flip ? W - 1 - w : w) + dx, W);
    const int64_t sh = reflect_index(h + dy, H);
    T v = x[(plane * H + sh) * W + sw];
    if (mean) {
      const T* m = mean + (plane % C) * H * W;
      v += m[sh * W + sw] - m[h * W + w];
    }
    out[i] = v;
  }
}

}  // namespace

void tta_view_cuda(const Tensor& x, const Tensor& mean, Tensor& out, bool flip, int dy, int dx) {
  const int64_t total = x.numel();
  dispatch_floating(x.dtype(), "tta_view", [&](auto zero) {
    using T = decltype(zero);
    const T* pm = mean.defined() ? mean.data<T>() : nullptr;
    cuda::launch_n("tta_view_kernel", total, tta_view_kernel<T>, x.data<T>(), pm, out.data<T>(), total, x.dim(1),
                   x.dim(2), x.dim(3), flip, dy, dx);
  });
}

}  // namespace convlab::kernels
