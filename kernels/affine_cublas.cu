// affine, "cublas" variant: the three matrix products go to cuBLAS
// (row-major handled by swapping operands, see runtime/cublas.h); the bias is
// broadcast into the output first and the product accumulated onto it.
#include "kernels/affine_cuda.h"
#include "kernels/common/reductions.h"
#include "kernels/runtime/cublas.h"
#include "kernels/runtime/launch.h"

namespace convlab::cuda {

// out[n, m] = b[m]: thread per element, coalesced writes.
template <class T>
__global__ void broadcast_rows_kernel(const T* __restrict__ b, int64_t N, int64_t M, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, N * M) out[i] = b[i % M];
}

template <class T>
void affine_forward_cublas_launch(const T* x, const T* w, const T* b, int64_t N, int64_t D, int64_t M, T* out) {
  if (N * M == 0) return;
  broadcast_rows_kernel<T><<<grid_for(N * M), kThreads>>>(b, N, M, out);
  CUDA_CHECK_LAUNCH("affine_forward_cublas: bias");
  gemm_row_major<T>(false, false, N, M, D, T(1), x, D, w, M, T(1), out, M);  // out += x w
}

template <class T>
void affine_backward_cublas_launch(const T* dout, const T* x, const T* w, int64_t N, int64_t D, int64_t M, T* dx,
                                   T* dw, T* db) {
  gemm_row_major<T>(false, true, N, D, M, T(1), dout, M, w, M, T(0), dx, D);  // dx = dout w^T
  gemm_row_major<T>(true, false, D, M, N, T(1), x, D, dout, M, T(0), dw, M);  // dw = x^T dout
  column_sum(dout, N, M, db);
}

template void affine_forward_cublas_launch<float>(const float*, const float*, const float*, int64_t, int64_t,
                                                  int64_t, float*);
template void affine_forward_cublas_launch<double>(const double*, const double*, const double*, int64_t, int64_t,
                                                   int64_t, double*);
template void affine_backward_cublas_launch<float>(const float*, const float*, const float*, int64_t, int64_t,
                                                   int64_t, float*, float*, float*);
template void affine_backward_cublas_launch<double>(const double*, const double*, const double*, int64_t, int64_t,
                                                    int64_t, double*, double*, double*);

Forward<AffineCache> affine_forward_cublas(const Tensor& x, const Tensor& w, const Tensor& b) {
  const AffineDims d = affine_check_forward(x, w, b);
  Tensor out({d.N, d.M}, x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "affine_forward", [&](auto zero) {
    using T = decltype(zero);
    affine_forward_cublas_launch<T>(x.data<T>(), w.data<T>(), b.data<T>(), d.N, d.D, d.M, out.data<T>());
  });
  return {out, AffineCache{x, w, b}};
}

Grads3 affine_backward_cublas(const Tensor& dout, const AffineCache& cache) {
  const AffineDims d = affine_check_backward(dout, cache);
  Grads3 g{Tensor(cache.x.shape(), dout.dtype(), Device::cuda), Tensor(cache.w.shape(), dout.dtype(), Device::cuda),
           Tensor(cache.b.shape(), dout.dtype(), Device::cuda)};
  dispatch_floating(dout.dtype(), "affine_backward", [&](auto zero) {
    using T = decltype(zero);
    affine_backward_cublas_launch<T>(dout.data<T>(), cache.x.data<T>(), cache.w.data<T>(), d.N, d.D, d.M,
                                     g.dx.data<T>(), g.d1.data<T>(), g.d2.data<T>());
  });
  return g;
}

}  // namespace convlab::cuda
