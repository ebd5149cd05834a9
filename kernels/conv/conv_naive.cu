// conv, "naive" variant: every output element (forward) and every gradient
// element (backward) gets one thread that gathers its own sum straight from
// global memory: no shared memory, no atomics, obviously right.
#include "kernels/conv/conv_common.cuh"
#include "kernels/conv/conv_taps.cuh"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

// out[n, f, i, j] = b[f] + sum_{c, kh, kw} x[n, c, i*s - p + kh, j*s - p + kw] w[f, c, kh, kw]
// (taps outside the image are the zero padding). Thread -> (n, f, i, j), j fastest.
template <class T>
__global__ void conv_forward_naive_kernel(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ b,
                                          ConvDims d, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(idx, d.N * d.F * d.Hout * d.Wout) {
    const int64_t j = idx % d.Wout, i = (idx / d.Wout) % d.Hout, f = (idx / (d.Wout * d.Hout)) % d.F,
                  n = idx / (d.Wout * d.Hout * d.F);
    T s = b[f];
    for (int64_t c = 0; c < d.C; ++c)
      for (int64_t kh = 0; kh < d.HH; ++kh) {
        const int64_t h = i * d.stride - d.pad + kh;
        if (h < 0 || h >= d.H) continue;
        for (int64_t kw = 0; kw < d.WW; ++kw) {
          const int64_t ww = j * d.stride - d.pad + kw;
          if (ww < 0 || ww >= d.W) continue;
          s += x[((n * d.C + c) * d.H + h) * d.W + ww] * w[((f * d.C + c) * d.HH + kh) * d.WW + kw];
        }
      }
    out[idx] = s;
  }
}

// dx[n, c, h, ww] = sum over (f, kh, kw) whose output position (i, j) with
// i*s - p + kh = h and j*s - p + kw = ww lies in the output. Thread -> input element.
template <class T>
__global__ void conv_dx_naive_kernel(const T* __restrict__ dout, const T* __restrict__ w, ConvDims d,
                                     T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(idx, d.N * d.C * d.H * d.W) {
    const int64_t ww = idx % d.W, h = (idx / d.W) % d.H, c = (idx / (d.W * d.H)) % d.C, n = idx / (d.W * d.H * d.C);
    T s = 0;
    for (int64_t f = 0; f < d.F; ++f)
      for (int64_t kh = 0; kh < d.HH; ++kh) {
        int64_t i, j;
        if (!output_of_tap(h, kh, d.stride, d.pad, d.Hout, i)) continue;
        for (int64_t kw = 0; kw < d.WW; ++kw) {
          if (!output_of_tap(ww, kw, d.stride, d.pad, d.Wout, j)) continue;
          s += dout[((n * d.F + f) * d.Hout + i) * d.Wout + j] * w[((f * d.C + c) * d.HH + kh) * d.WW + kw];
        }
      }
    dx[idx] = s;
  }
}

// dw[f, c, kh, kw] = sum_{n, i, j} dout[n, f, i, j] x[n, c, i*s - p + kh, j*s - p + kw]. Thread -> weight.
template <class T>
__global__ void conv_dw_naive_kernel(const T* __restrict__ dout, const T* __restrict__ x, ConvDims d,
                                     T* __restrict__ dw) {
  CONVLAB_GRID_STRIDE_LOOP(idx, d.F * d.C * d.HH * d.WW) {
    const int64_t kw = idx % d.WW, kh = (idx / d.WW) % d.HH, c = (idx / (d.WW * d.HH)) % d.C,
                  f = idx / (d.WW * d.HH * d.C);
    T s = 0;
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t i = 0; i < d.Hout; ++i) {
        const int64_t h = i * d.stride - d.pad + kh;
        if (h < 0 || h >= d.H) continue;
        for (int64_t j = 0; j < d.Wout; ++j) {
          const int64_t ww = j * d.stride - d.pad + kw;
          if (ww < 0 || ww >= d.W) continue;
          s += dout[((n * d.F + f) * d.Hout + i) * d.Wout + j] * x[((n * d.C + c) * d.H + h) * d.W + ww];
        }
      }
    dw[idx] = s;
  }
}

// db[f] = sum_{n, i, j} dout[n, f, i, j]. Thread -> filter.
template <class T>
__global__ void conv_db_naive_kernel(const T* __restrict__ dout, ConvDims d, T* __restrict__ db) {
  CONVLAB_GRID_STRIDE_LOOP(f, d.F) {
    T s = 0;
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t k = 0; k < d.Hout * d.Wout; ++k) s += dout[(n * d.F + f) * d.Hout * d.Wout + k];
    db[f] = s;
  }
}

template <class T>
void conv_forward_naive_launch(const T* x, const T* w, const T* b, const ConvDims& d, T* out) {
  const int64_t n = d.N * d.F * d.Hout * d.Wout;
  launch_n("conv_forward_naive_kernel", n, conv_forward_naive_kernel<T>, x, w, b, d, out);
}

template <class T>
void conv_backward_naive_launch(const T* dout, const T* x, const T* w, const ConvDims& d, T* dx, T* dw, T* db) {
  const int64_t nx = d.N * d.C * d.H * d.W, nw = d.F * d.C * d.HH * d.WW;
  if (dx) launch_n("conv_dx_naive_kernel", nx, conv_dx_naive_kernel<T>, dout, w, d, dx);
  launch_n("conv_dw_naive_kernel", nw, conv_dw_naive_kernel<T>, dout, x, d, dw);
  launch_n("conv_db_naive_kernel", d.F, conv_db_naive_kernel<T>, dout, d, db);
}

Forward<ConvCache> conv_forward_naive(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  return conv_forward_run(x, w, b, param, [](auto... a) { conv_forward_naive_launch(a...); });
}

Grads conv_backward_naive(const Tensor& dout, const ConvCache& cache, bool need_dx) {
  return conv_backward_run(dout, cache, need_dx, [](auto... a) { conv_backward_naive_launch(a...); });
}

}  // namespace convlab::cuda
