// Input checks shared by the CUDA variants of affine.
#include "kernels/affine/affine_cuda.h"

namespace convlab::cuda {

AffineDims affine_check_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  x.expect_float("affine_forward: x");
  expect_same("affine_forward", Device::cuda, x.dtype(), {{"x", &x}, {"w", &w}, {"b", &b}});
  return affine_dims(x, w, b);
}

AffineDims affine_check_backward(const Tensor& dout, const AffineCache& cache) {
  const AffineDims d = affine_check_forward(cache.x, cache.w, cache.b);
  expect_same("affine_backward", Device::cuda, cache.x.dtype(), {{"dout", &dout}});
  dout.expect_shape("affine_backward: dout", {d.N, d.M});
  return d;
}

}  // namespace convlab::cuda
