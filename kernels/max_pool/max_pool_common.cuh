// Kernels and host drivers shared by the CUDA max_pool variants ("naive" and
// "argmax"); the variants differ only in how backward learns which element
// each window chose (see max_pool_naive.cu, max_pool_argmax.cu).
#pragma once
#include <cstdint>

#include "host/ops/max_pool/max_pool.h"
#include "kernels/runtime/launch.cuh"

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
// position h, for windows of `size` at `stride` and `count` windows (empty,
// lo > hi, when none does).
__device__ __forceinline__ void covering_windows(int64_t h, int size, int stride, int64_t count, int64_t& lo,
                                                 int64_t& hi) {
  lo = h - size + 1 <= 0 ? 0 : ceil_div(h - size + 1, stride);
  hi = h / stride;
  if (hi > count - 1) hi = count - 1;
}

// Forward: one thread per output element (output column fastest, so out and
// argmax stores are coalesced) scans its window once; the first maximum's
// flat plane index goes to argmax when it is not null. kRelu: the output is
// relu of the maximum, which is the maximum of the relu'd window (relu is
// monotone), so relu and pooling take one pass (conv_relu_pool "fused").
template <class T, bool kRelu = false>
__global__ void max_pool_forward_kernel(const T* __restrict__ x, PoolDims d, T* __restrict__ out,
                                        int32_t* __restrict__ argmax) {
  CONVLAB_GRID_STRIDE_LOOP(idx, d.N * d.C * d.Hout * d.Wout) {
    const int64_t j = idx % d.Wout, i = (idx / d.Wout) % d.Hout, nc = idx / (d.Wout * d.Hout);
    T m;
    const int32_t a = window_argmax(x + nc * d.H * d.W, d, i, j, &m);
    out[idx] = kRelu && !(m > T(0)) ? T(0) : m;
    if (argmax) argmax[idx] = a;
  }
}

// Backward: one thread per input element visits the few windows covering it
// and sums the gradients of those whose chosen element it is: a gather, so
// overlapping windows need no atomics and the result is deterministic.
// chosen(nc, i, j, o) gives window (i, j) of plane nc's flat argmax (o is
// the window's flat index in dout).
template <class T, class Chosen>
__global__ void max_pool_backward_kernel(const T* __restrict__ dout, PoolDims d, Chosen chosen, T* __restrict__ dx) {
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
        if (chosen(nc, i, j, o) == self) s += dout[o];
      }
    dx[idx] = s;
  }
}

// Host driver of the forward pass; keeps the argmax tensor in the cache when asked.
inline Forward<PoolCache> max_pool_forward_run(const Tensor& x, const PoolParam& param, bool keep_argmax) {
  const PoolDims d = max_pool_check_forward(x, param, Device::cuda);
  Tensor out({d.N, d.C, d.Hout, d.Wout}, x.dtype(), Device::cuda);
  Tensor argmax = keep_argmax ? Tensor({d.N, d.C, d.Hout, d.Wout}, DType::i32, Device::cuda) : Tensor();
  dispatch_floating(x.dtype(), "max_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    launch_n("max_pool_forward_kernel", d.N * d.C * d.Hout * d.Wout, max_pool_forward_kernel<T>, x.data<T>(), d,
             out.data<T>(), keep_argmax ? argmax.data<int32_t>() : nullptr);
  });
  return {out, PoolCache{x, param, argmax}};
}

// Host driver of the backward pass: make_chosen(T{}) gives the kernel's
// Chosen functor for element type T.
template <class MakeChosen>
Tensor max_pool_backward_run(const Tensor& dout, const PoolCache& cache, const PoolDims& d, MakeChosen&& make_chosen) {
  Tensor dx(cache.x.shape(), cache.x.dtype(), Device::cuda);
  dispatch_floating(dout.dtype(), "max_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    using Chosen = decltype(make_chosen(zero));
    launch_n("max_pool_backward_kernel", d.N * d.C * d.H * d.W, max_pool_backward_kernel<T, Chosen>, dout.data<T>(), d,
             make_chosen(zero), dx.data<T>());
  });
  return dx;
}

}  // namespace convlab::cuda
