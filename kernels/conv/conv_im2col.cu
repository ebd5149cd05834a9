// im2col / col2im kernels of the "gemm" conv variant (layout in conv_im2col.h).
#include "kernels/conv/conv_im2col.h"
#include "kernels/conv/conv_taps.cuh"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

// Thread -> one col element (nl, k, p), p fastest: the writes are coalesced;
// reads of x are strided by the conv stride along a row.
template <class T>
__global__ void im2col_kernel(const T* __restrict__ x, ConvDims d, int64_t n0, int64_t nb, T* __restrict__ col) {
  const int64_t P = d.Hout * d.Wout, K = d.C * d.HH * d.WW;
  CONVLAB_GRID_STRIDE_LOOP(idx, nb * K * P) {
    const int64_t p = idx % P, k = (idx / P) % K, nl = idx / (P * K);
    const int64_t j = p % d.Wout, i = p / d.Wout;
    const int64_t kw = k % d.WW, kh = (k / d.WW) % d.HH, c = k / (d.WW * d.HH);
    const int64_t h = i * d.stride - d.pad + kh, w = j * d.stride - d.pad + kw;
    col[idx] = (h >= 0 && h < d.H && w >= 0 && w < d.W) ? x[(((n0 + nl) * d.C + c) * d.H + h) * d.W + w] : T(0);
  }
}

// Thread -> one input element (nl, c, h, w), w fastest (coalesced writes):
// it gathers the col entries of every tap that read it, so no atomics.
template <class T>
__global__ void col2im_kernel(const T* __restrict__ col, ConvDims d, int64_t n0, int64_t nb, T* __restrict__ dx) {
  const int64_t P = d.Hout * d.Wout, K = d.C * d.HH * d.WW;
  CONVLAB_GRID_STRIDE_LOOP(idx, nb * d.C * d.H * d.W) {
    const int64_t w = idx % d.W, h = (idx / d.W) % d.H, c = (idx / (d.W * d.H)) % d.C, nl = idx / (d.W * d.H * d.C);
    T s = 0;
    for (int64_t kh = 0; kh < d.HH; ++kh) {
      int64_t i, j;
      if (!output_of_tap(h, kh, d.stride, d.pad, d.Hout, i)) continue;
      for (int64_t kw = 0; kw < d.WW; ++kw) {
        if (!output_of_tap(w, kw, d.stride, d.pad, d.Wout, j)) continue;
        const int64_t k = (c * d.HH + kh) * d.WW + kw, p = i * d.Wout + j;
        s += col[(nl * K + k) * P + p];
      }
    }
    dx[(n0 * d.C) * d.H * d.W + idx] = s;
  }
}

template <class T>
void im2col(const T* x, const ConvDims& d, int64_t n0, int64_t nb, T* col) {
  const int64_t n = nb * d.C * d.HH * d.WW * d.Hout * d.Wout;
  launch_n("im2col_kernel", n, im2col_kernel<T>, x, d, n0, nb, col);
}

template <class T>
void col2im(const T* col, const ConvDims& d, int64_t n0, int64_t nb, T* dx) {
  const int64_t n = nb * d.C * d.H * d.W;
  launch_n("col2im_kernel", n, col2im_kernel<T>, col, d, n0, nb, dx);
}

template void im2col<float>(const float*, const ConvDims&, int64_t, int64_t, float*);
template void im2col<double>(const double*, const ConvDims&, int64_t, int64_t, double*);
template void col2im<float>(const float*, const ConvDims&, int64_t, int64_t, float*);
template void col2im<double>(const double*, const ConvDims&, int64_t, int64_t, double*);

}  // namespace convlab::cuda
