// CPU reference of inverted dropout, float and double. The mask comes from
// dropout_mask_value(seed, flat index, p), the same function the GPU kernels use.
#include "host/ops/dropout/dropout.h"
#include "host/ops/dropout/dropout_mask.h"

namespace convlab::ref {

Forward<DropoutCache> dropout_forward(const Tensor& x, const DropoutParam& param) {
  check_dropout_param(param);
  CONVLAB_CHECK(x.defined(), "dropout_forward: x is empty");
  x.expect_float("dropout_forward: x");
  expect_same("dropout_forward", Device::cpu, x.dtype(), {{"x", &x}});
  if (param.mode == Mode::test) return {x.clone(), DropoutCache{Tensor(), param}};
  Tensor mask(x.shape(), x.dtype());
  Tensor out(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "dropout_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* px = x.data<T>();
    T* pm = mask.data<T>();
    T* po = out.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      pm[i] = dropout_mask_value<T>(param.seed, static_cast<uint64_t>(i), param.p);
      po[i] = px[i] * pm[i];
    }
  });
  return {out, DropoutCache{mask, param}};
}

Tensor dropout_backward(const Tensor& dout, const DropoutCache& cache) {
  check_dropout_param(cache.param);
  CONVLAB_CHECK(dout.defined(), "dropout_backward: dout is empty");
  dout.expect_float("dropout_backward: dout");
  expect_same("dropout_backward", Device::cpu, dout.dtype(), {{"dout", &dout}});
  if (cache.param.mode == Mode::test) return dout.clone();
  expect_same("dropout_backward", Device::cpu, dout.dtype(), {{"cache.mask", &cache.mask}});
  dout.expect_shape("dropout_backward: dout", cache.mask.shape());
  Tensor dx(dout.shape(), dout.dtype());
  dispatch_floating(dout.dtype(), "dropout_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* pd = dout.data<T>();
    const T* pm = cache.mask.data<T>();
    T* pdx = dx.data<T>();
    for (int64_t i = 0; i < dout.numel(); ++i) pdx[i] = pd[i] * pm[i];
  });
  return dx;
}

}  // namespace convlab::ref
