// affine, "naive" variant: one thread per output element, each a plain dot
// product over the shared dimension. Obviously right, not fast.
#include "kernels/affine/affine_common.cuh"
#include "kernels/runtime/launch.cuh"
#include "kernels/runtime/reductions.h"

namespace convlab::cuda {

// out[n, m] = b[m] + sum_d x[n, d] w[d, m]. Thread i -> (n, m) with m fastest:
// a warp reads one x element (broadcast) and a contiguous run of w's row d.
template <class T>
__global__ void affine_forward_naive_kernel(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ b,
                                            int64_t N, int64_t D, int64_t M, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, N * M) {
    const int64_t n = i / M, m = i % M;
    T s = b[m];
    for (int64_t d = 0; d < D; ++d) s += x[n * D + d] * w[d * M + m];
    out[i] = s;
  }
}

// dx[n, d] = sum_m dout[n, m] w[d, m]: thread per (n, d); reads rows of dout and w.
template <class T>
__global__ void affine_dx_naive_kernel(const T* __restrict__ dout, const T* __restrict__ w, int64_t N, int64_t D,
                                       int64_t M, T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(i, N * D) {
    const int64_t n = i / D, d = i % D;
    T s = 0;
    for (int64_t m = 0; m < M; ++m) s += dout[n * M + m] * w[d * M + m];
    dx[i] = s;
  }
}

// dw[d, m] = sum_n x[n, d] dout[n, m]: thread per (d, m), m fastest (coalesced dout reads).
template <class T>
__global__ void affine_dw_naive_kernel(const T* __restrict__ x, const T* __restrict__ dout, int64_t N, int64_t D,
                                       int64_t M, T* __restrict__ dw) {
  CONVLAB_GRID_STRIDE_LOOP(i, D * M) {
    const int64_t d = i / M, m = i % M;
    T s = 0;
    for (int64_t n = 0; n < N; ++n) s += x[n * D + d] * dout[n * M + m];
    dw[i] = s;
  }
}

template <class T>
void affine_forward_naive_launch(const T* x, const T* w, const T* b, int64_t N, int64_t D, int64_t M, T* out) {
  launch_n("affine_forward_naive_kernel", N * M, affine_forward_naive_kernel<T>, x, w, b, N, D, M, out);
}

template <class T>
void affine_backward_naive_launch(const T* dout, const T* x, const T* w, int64_t N, int64_t D, int64_t M, T* dx, T* dw,
                                  T* db) {
  if (dx) launch_n("affine_dx_naive_kernel", N * D, affine_dx_naive_kernel<T>, dout, w, N, D, M, dx);
  launch_n("affine_dw_naive_kernel", D * M, affine_dw_naive_kernel<T>, x, dout, N, D, M, dw);
  column_sum(dout, N, M, db);
}

Forward<AffineCache> affine_forward_naive(const Tensor& x, const Tensor& w, const Tensor& b) {
  return affine_forward_run(x, w, b, [](auto... a) { affine_forward_naive_launch(a...); });
}

Grads affine_backward_naive(const Tensor& dout, const AffineCache& cache, bool need_dx) {
  return affine_backward_run(dout, cache, need_dx, [](auto... a) { affine_backward_naive_launch(a...); });
}

}  // namespace convlab::cuda
