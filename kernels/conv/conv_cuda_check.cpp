// Input checks shared by the CUDA variants of conv.
#include "kernels/conv/conv_cuda.h"

namespace convlab::cuda {

ConvDims conv_check_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  x.expect_float("conv_forward: x");
  expect_same("conv_forward", Device::cuda, x.dtype(), {{"x", &x}, {"w", &w}, {"b", &b}});
  return conv_dims(x, w, b, param);
}

ConvDims conv_check_backward(const Tensor& dout, const ConvCache& cache) {
  const ConvDims d = conv_check_forward(cache.x, cache.w, cache.b, cache.param);
  expect_same("conv_backward", Device::cuda, cache.x.dtype(), {{"dout", &dout}});
  dout.expect_shape("conv_backward: dout", {d.N, d.F, d.Hout, d.Wout});
  return d;
}

Grads conv_alloc_grads(const ConvCache& cache, bool need_dx) {
  const DType dt = cache.x.dtype();
  return Grads{need_dx ? Tensor(cache.x.shape(), dt, Device::cuda) : Tensor(), Tensor(cache.w.shape(), dt, Device::cuda),
                Tensor(cache.b.shape(), dt, Device::cuda)};
}

}  // namespace convlab::cuda
