// relu, "naive" variant: grid-stride loop, one element per thread per step,
// consecutive threads on consecutive elements (coalesced loads and stores).
#include "host/ops/relu/relu.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

template <class T>
__global__ void relu_forward_kernel(const T* __restrict__ x, int64_t n, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) out[i] = x[i] > T(0) ? x[i] : T(0);
}

template <class T>
__global__ void relu_backward_kernel(const T* __restrict__ x, const T* __restrict__ dout, int64_t n,
                                     T* __restrict__ dx) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) dx[i] = x[i] > T(0) ? dout[i] : T(0);
}

template <class T>
void relu_forward_launch(const T* x, int64_t n, T* out) {
  launch_n("relu_forward_kernel", n, relu_forward_kernel<T>, x, n, out);
}

template <class T>
void relu_backward_launch(const T* x, const T* dout, int64_t n, T* dx) {
  launch_n("relu_backward_kernel", n, relu_backward_kernel<T>, x, dout, n, dx);
}

template void relu_forward_launch<float>(const float*, int64_t, float*);
template void relu_forward_launch<double>(const double*, int64_t, double*);
template void relu_backward_launch<float>(const float*, const float*, int64_t, float*);
template void relu_backward_launch<double>(const double*, const double*, int64_t, double*);

Forward<ReluCache> relu_forward_naive(const Tensor& x) {
  x.expect_float("relu_forward: x");
  expect_same("relu_forward", Device::cuda, x.dtype(), {{"x", &x}});
  Tensor out(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "relu_forward", [&](auto zero) {
    using T = decltype(zero);
    relu_forward_launch<T>(x.data<T>(), x.numel(), out.data<T>());
  });
  return {out, ReluCache{x}};
}

Tensor relu_backward_naive(const Tensor& dout, const ReluCache& cache) {
  const Tensor& x = cache.x;
  x.expect_float("relu_backward: cache.x");
  expect_same("relu_backward", Device::cuda, x.dtype(), {{"dout", &dout}, {"cache.x", &x}});
  dout.expect_shape("relu_backward: dout", x.shape());
  Tensor dx(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "relu_backward", [&](auto zero) {
    using T = decltype(zero);
    relu_backward_launch<T>(x.data<T>(), dout.data<T>(), x.numel(), dx.data<T>());
  });
  return dx;
}

}  // namespace convlab::cuda
