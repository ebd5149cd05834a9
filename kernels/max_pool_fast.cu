// max_pool, "fast" variant. Forward: one thread per output element (output
// column fastest, so out and argmax stores are coalesced) scans its window
// once and records the first maximum's flat plane index in an int32 argmax
// tensor kept in the cache. Backward: one thread per input element reads
// the argmax of the few windows covering it (coalesced along a row) and sums
// the gradients of those that chose it: overlapping windows accumulate
// correctly without atomics, and no pass re-reads x.
#include "kernels/max_pool_common.cuh"
#include "kernels/max_pool_cuda.h"

namespace convlab::cuda {

template <class T>
__global__ void max_pool_forward_fast_kernel(const T* __restrict__ x, PoolDims d, T* __restrict__ out,
                                             int32_t* __restrict__ argmax) {
  CONVLAB_GRID_STRIDE_LOOP(idx, d.N * d.C * d.Hout * d.Wout) {
    const int64_t j = idx % d.Wout, i = (idx / d.Wout) % d.Hout, nc = idx / (d.Wout * d.Hout);
    T m;
    argmax[idx] = window_argmax(x + nc * d.H * d.W, d, i, j, &m);
    out[idx] = m;
  }
}

template <class T>
__global__ void max_pool_backward_fast_kernel(const int32_t* __restrict__ argmax, const T* __restrict__ dout,
                                              PoolDims d, T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(idx, d.N * d.C * d.H * d.W) {
    const int64_t w = idx % d.W, h = (idx / d.W) % d.H, nc = idx / (d.W * d.H);
    const int32_t self = static_cast<int32_t>(h * d.W + w);
    int64_t i_lo, i_hi, j_lo, j_hi;
    covering_windows(h, d.ph, d.stride, d.Hout, i_lo, i_hi);
    covering_windows(w, d.pw, d.stride, d.Wout, j_lo, j_hi);
    T s = 0;
    for (int64_t i = i_lo; i <= i_hi; ++i)
      for (int64_t j = j_lo; j <= j_hi; ++j) {
        const int64_t o = (nc * d.Hout + i) * d.Wout + j;
        if (argmax[o] == self) s += dout[o];
      }
    dx[idx] = s;
  }
}

template <class T>
void max_pool_forward_fast_launch(const T* x, const PoolDims& d, T* out, int32_t* argmax) {
  const int64_t n = d.N * d.C * d.Hout * d.Wout;
  if (n == 0) return;
  max_pool_forward_fast_kernel<T><<<grid_for(n), kThreads>>>(x, d, out, argmax);
  CUDA_CHECK_LAUNCH("max_pool_forward_fast");
}

template <class T>
void max_pool_backward_fast_launch(const int32_t* argmax, const T* dout, const PoolDims& d, T* dx) {
  const int64_t n = d.N * d.C * d.H * d.W;
  if (n == 0) return;
  max_pool_backward_fast_kernel<T><<<grid_for(n), kThreads>>>(argmax, dout, d, dx);
  CUDA_CHECK_LAUNCH("max_pool_backward_fast");
}

template void max_pool_forward_fast_launch<float>(const float*, const PoolDims&, float*, int32_t*);
template void max_pool_forward_fast_launch<double>(const double*, const PoolDims&, double*, int32_t*);
template void max_pool_backward_fast_launch<float>(const int32_t*, const float*, const PoolDims&, float*);
template void max_pool_backward_fast_launch<double>(const int32_t*, const double*, const PoolDims&, double*);

Forward<PoolCache> max_pool_forward_fast(const Tensor& x, const PoolParam& param) {
  const PoolDims d = max_pool_check_forward(x, param);
  Tensor out({d.N, d.C, d.Hout, d.Wout}, x.dtype(), Device::cuda);
  Tensor argmax({d.N, d.C, d.Hout, d.Wout}, DType::i32, Device::cuda);
  dispatch_floating(x.dtype(), "max_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    max_pool_forward_fast_launch<T>(x.data<T>(), d, out.data<T>(), argmax.data<int32_t>());
  });
  return {out, PoolCache{x, param, argmax}};
}

Tensor max_pool_backward_fast(const Tensor& dout, const PoolCache& cache) {
  // A cache made by a variant that keeps no argmax: fall back to recomputing it.
  if (!cache.argmax.defined()) return max_pool_backward_naive(dout, cache);
  const PoolDims d = max_pool_check_backward(dout, cache);
  expect_same("max_pool_backward", Device::cuda, DType::i32, {{"cache.argmax", &cache.argmax}});
  cache.argmax.expect_shape("max_pool_backward: cache.argmax", {d.N, d.C, d.Hout, d.Wout});
  Tensor dx(cache.x.shape(), cache.x.dtype(), Device::cuda);
  dispatch_floating(dout.dtype(), "max_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    max_pool_backward_fast_launch<T>(cache.argmax.data<int32_t>(), dout.data<T>(), d, dx.data<T>());
  });
  return dx;
}

}  // namespace convlab::cuda
