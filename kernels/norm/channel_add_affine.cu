// channel_add_affine (host/ops/norm/norm_sync.h): dx += p[c] * x + q[c] over
// x viewed as (A, C, B), the last step of synchronized batchnorm's backward.
// Grid-stride loop, one element per thread per step: consecutive threads on
// consecutive elements (coalesced loads of x and dx, one store of dx); p and
// q (C entries each) are read through the cache.
#include "host/ops/norm/norm_sync.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

namespace {

template <class T>
__global__ void channel_add_affine_kernel(const T* __restrict__ x, const T* __restrict__ p, const T* __restrict__ q,
                                          int64_t C, int64_t B, int64_t n, T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) {
    const int64_t c = (i / B) % C;
    dx[i] += p[c] * x[i] + q[c];
  }
}

}  // namespace

void channel_add_affine(const Tensor& x, const Tensor& p, const Tensor& q, Tensor& dx) {
  const int64_t C = p.numel();
  CONVLAB_CHECK(x.device() == Device::cuda && dx.device() == Device::cuda && p.device() == Device::cuda &&
                    q.device() == Device::cuda && q.numel() == C && x.ndim() >= 2 && x.shape()[1] == C &&
                    dx.shape() == x.shape() && dx.dtype() == x.dtype() && p.dtype() == x.dtype() &&
                    q.dtype() == x.dtype(),
                "channel_add_affine (cuda): expected x, dx of one shape (N, "
                    << C << ", ...) and p, q of " << C << " entries, all of one dtype on the GPU");
  const int64_t n = x.numel();
  if (n == 0) return;
  const int64_t B = n / (x.shape()[0] * C);
  dispatch_floating(x.dtype(), "channel_add_affine", [&](auto zero) {
    using T = decltype(zero);
    launch_n("channel_add_affine_kernel", n, channel_add_affine_kernel<T>, x.data<T>(), p.data<T>(), q.data<T>(), C, B,
             n, dx.data<T>());
  });
}

}  // namespace convlab::cuda
