// dropout, "naive" variant: one thread per element (grid-stride, coalesced).
// The mask value is dropout_mask_value(seed, flat index, p), the function the
// CPU reference calls, so both draw exactly the same mask for a seed.
#include "host/ops/dropout/dropout.h"
#include "host/ops/dropout/dropout_mask.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

template <class T>
__global__ void dropout_forward_kernel(const T* __restrict__ x, int64_t n, double p, uint64_t seed,
                                       T* __restrict__ mask, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) {
    const T m = dropout_mask_value<T>(seed, static_cast<uint64_t>(i), p);
    mask[i] = m;
    out[i] = x[i] * m;
  }
}

template <class T>
__global__ void multiply_kernel(const T* __restrict__ a, const T* __restrict__ b, int64_t n, T* __restrict__ out) {
  CONVLAB_GRID_STRIDE_LOOP(i, n) out[i] = a[i] * b[i];
}

template <class T>
void dropout_forward_launch(const T* x, int64_t n, double p, uint64_t seed, T* mask, T* out) {
  launch_n("dropout_forward_kernel", n, dropout_forward_kernel<T>, x, n, p, seed, mask, out);
}

template <class T>
void dropout_backward_launch(const T* dout, const T* mask, int64_t n, T* dx) {
  launch_n("multiply_kernel", n, multiply_kernel<T>, dout, mask, n, dx);
}

template void dropout_forward_launch<float>(const float*, int64_t, double, uint64_t, float*, float*);
template void dropout_forward_launch<double>(const double*, int64_t, double, uint64_t, double*, double*);
template void dropout_backward_launch<float>(const float*, const float*, int64_t, float*);
template void dropout_backward_launch<double>(const double*, const double*, int64_t, double*);

Forward<DropoutCache> dropout_forward_naive(const Tensor& x, const DropoutParam& param) {
  x.expect_float("dropout_forward: x");
  expect_same("dropout_forward", Device::cuda, x.dtype(), {{"x", &x}});
  check_dropout_param(param);
  if (param.mode == Mode::test) return {x.clone(), DropoutCache{Tensor(), param}};
  Tensor mask(x.shape(), x.dtype(), Device::cuda);
  Tensor out(x.shape(), x.dtype(), Device::cuda);
  dispatch_floating(x.dtype(), "dropout_forward", [&](auto zero) {
    using T = decltype(zero);
    dropout_forward_launch<T>(x.data<T>(), x.numel(), param.p, param.seed, mask.data<T>(), out.data<T>());
  });
  return {out, DropoutCache{mask, param}};
}

Tensor dropout_backward_naive(const Tensor& dout, const DropoutCache& cache) {
  check_dropout_param(cache.param);
  dout.expect_float("dropout_backward: dout");
  expect_same("dropout_backward", Device::cuda, dout.dtype(), {{"dout", &dout}});
  if (cache.param.mode == Mode::test) return dout.clone();
  const Tensor& mask = cache.mask;
  CONVLAB_CHECK(mask.defined(), "dropout_backward: train-mode cache has no mask (was it made by dropout_forward?)");
  expect_same("dropout_backward", Device::cuda, dout.dtype(), {{"cache.mask", &mask}});
  dout.expect_shape("dropout_backward: dout", mask.shape());
  Tensor dx(dout.shape(), dout.dtype(), Device::cuda);
  dispatch_floating(dout.dtype(), "dropout_backward", [&](auto zero) {
    using T = decltype(zero);
    dropout_backward_launch<T>(dout.data<T>(), mask.data<T>(), dout.numel(), dx.data<T>());
  });
  return dx;
}

}  // namespace convlab::cuda
