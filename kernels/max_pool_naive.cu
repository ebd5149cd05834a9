// max_pool, "naive" variant. Forward: one thread per output element scans
// its window. Backward: one thread per input element visits every window
// that covers it, recomputes that window's first maximum and takes the
// window's gradient when it is this element: a gather, so overlapping
// windows need no atomics and the result is deterministic.
#include "kernels/max_pool_common.cuh"
#include "kernels/max_pool_cuda.h"

namespace convlab::cuda {

template <class T>
__global__ void max_pool_forward_naive_kernel(const T* __restrict__ x, PoolDims d, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(idx, d.N * d.C * d.Hout * d.Wout) {
    const int64_t j = idx % d.Wout, i = (idx / d.Wout) % d.Hout, nc = idx / (d.Wout * d.Hout);
    T m;
    window_argmax(x + nc * d.H * d.W, d, i, j, &m);
    out[idx] = m;
  }
}

template <class T>
__global__ void max_pool_backward_naive_kernel(const T* __restrict__ x, const T* __restrict__ dout, PoolDims d,
                                               T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(idx, d.N * d.C * d.H * d.W) {
    const int64_t w = idx % d.W, h = (idx / d.W) % d.H, nc = idx / (d.W * d.H);
    const T* plane = x + nc * d.H * d.W;
    int64_t i_lo, i_hi, j_lo, j_hi;
    covering_windows(h, d.ph, d.stride, d.Hout, i_lo, i_hi);
    covering_windows(w, d.pw, d.stride, d.Wout, j_lo, j_hi);
    T s = 0;
    for (int64_t i = i_lo; i <= i_hi; ++i)
      for (int64_t j = j_lo; j <= j_hi; ++j) {
        T m;
        if (window_argmax(plane, d, i, j, &m) == h * d.W + w) s += dout[(nc * d.Hout + i) * d.Wout + j];
      }
    dx[idx] = s;
  }
}

template <class T>
void max_pool_forward_naive_launch(const T* x, const PoolDims& d, T* out) {
  const int64_t n = d.N * d.C * d.Hout * d.Wout;
  if (n == 0) return;
  max_pool_forward_naive_kernel<T><<<grid_for(n), kThreads>>>(x, d, out);
  CUDA_CHECK_LAUNCH("max_pool_forward_naive");
}

template <class T>
void max_pool_backward_naive_launch(const T* x, const T* dout, const PoolDims& d, T* dx) {
  const int64_t n = d.N * d.C * d.H * d.W;
  if (n == 0) return;
  max_pool_backward_naive_kernel<T><<<grid_for(n), kThreads>>>(x, dout, d, dx);
  CUDA_CHECK_LAUNCH("max_pool_backward_naive");
}

template void max_pool_forward_naive_launch<float>(const float*, const PoolDims&, float*);
template void max_pool_forward_naive_launch<double>(const double*, const PoolDims&, double*);
template void max_pool_backward_naive_launch<float>(const float*, const float*, const PoolDims&, float*);
template void max_pool_backward_naive_launch<double>(const double*, const double*, const PoolDims&, double*);

Forward<PoolCache> max_pool_forward_naive(const Tensor& x, const PoolParam& param) {
  const PoolDims d = max_pool_check_forward(x, param);
  Tensor out({d.N, d.C, d.Hout, d.Wout}, x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "max_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    max_pool_forward_naive_launch<T>(x.data<T>(), d, out.data<T>());
  });
  return {out, PoolCache{x, param, Tensor()}};
}

Tensor max_pool_backward_naive(const Tensor& dout, const PoolCache& cache) {
  const PoolDims d = max_pool_check_backward(dout, cache);
  Tensor dx(cache.x.shape(), cache.x.dtype(), Device::cuda);
  dispatch_floating(dout.dtype(), "max_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    max_pool_backward_naive_launch<T>(cache.x.data<T>(), dout.data<T>(), d, dx.data<T>());
  });
  return dx;
}

}  // namespace convlab::cuda
