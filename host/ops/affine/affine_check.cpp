// Shape validation of affine, shared by every variant.
#include "host/ops/affine/affine.h"

namespace convlab {

AffineDims affine_dims(const Tensor& x, const Tensor& w, const Tensor& b) {
  CONVLAB_CHECK(x.defined(), "affine: x is empty");
  x.expect_float("affine: x");
  expect_same("affine", x.device(), x.dtype(), {{"x", &x}, {"w", &w}, {"b", &b}});
  CONVLAB_CHECK(x.ndim() >= 2,
                "affine: x must have shape (N, d1, ..., dk) with at least 2 dimensions, got " << shape_str(x.shape()));
  w.expect_ndim("affine: w", 2);
  b.expect_ndim("affine: b", 1);
  const int64_t N = x.dim(0);
  const int64_t D = shape_numel(Shape(x.shape().begin() + 1, x.shape().end()));
  CONVLAB_CHECK(w.dim(0) == D, "affine: w must have shape (D, M) with D = "
                                   << D << " (the product of x's " << shape_str(x.shape())
                                   << " after the batch dimension), got w " << shape_str(w.shape()));
  const int64_t M = w.dim(1);
  CONVLAB_CHECK(b.dim(0) == M, "affine: b must have shape (" << M << ",) to match w " << shape_str(w.shape())
                                                             << ", got " << shape_str(b.shape()));
  return {N, D, M};
}

AffineDims affine_check_forward(const Tensor& x, const Tensor& w, const Tensor& b, Device device) {
  x.expect_float("affine_forward: x");
  expect_same("affine_forward", device, x.dtype(), {{"x", &x}, {"w", &w}, {"b", &b}});
  return affine_dims(x, w, b);
}

AffineDims affine_check_backward(const Tensor& dout, const AffineCache& cache, Device device) {
  const AffineDims d = affine_check_forward(cache.x, cache.w, cache.b, device);
  expect_same("affine_backward", device, cache.x.dtype(), {{"dout", &dout}});
  dout.expect_shape("affine_backward: dout", {d.N, d.M});
  return d;
}

}  // namespace convlab
