// Shape and parameter validation of max_pool, shared by every variant.
#include <limits>

#include "host/ops/max_pool/max_pool.h"

namespace convlab {

PoolDims pool_dims(const Tensor& x, const PoolParam& param) {
  CONVLAB_CHECK(x.defined(), "max_pool: x is empty");
  x.expect_float("max_pool: x");
  return pool_dims(x.shape(), param);
}

PoolDims pool_dims(const Shape& shape, const PoolParam& param) {
  CONVLAB_CHECK(shape.size() == 4, "max_pool: x must have shape (N, C, H, W), got " << shape_str(shape));
  CONVLAB_CHECK(
      param.pool_height > 0 && param.pool_width > 0,
      "max_pool: pool_height and pool_width must be positive, got " << param.pool_height << "x" << param.pool_width);
  CONVLAB_CHECK(param.stride > 0, "max_pool: stride must be positive, got stride " << param.stride);
  PoolDims d{};
  d.N = shape[0], d.C = shape[1], d.H = shape[2], d.W = shape[3];
  d.ph = param.pool_height, d.pw = param.pool_width, d.stride = param.stride;
  CONVLAB_CHECK(d.N > 0 && d.C > 0 && d.H > 0 && d.W > 0, "max_pool: x has an empty dimension: " << shape_str(shape));
  CONVLAB_CHECK(d.ph <= d.H && d.pw <= d.W,
                "max_pool: pool window " << d.ph << "x" << d.pw << " is larger than the input x " << shape_str(shape));
  d.Hout = 1 + (d.H - d.ph) / d.stride;
  d.Wout = 1 + (d.W - d.pw) / d.stride;
  return d;
}

PoolDims max_pool_check_forward(const Tensor& x, const PoolParam& param, Device device) {
  x.expect_float("max_pool_forward: x");
  expect_same("max_pool_forward", device, x.dtype(), {{"x", &x}});
  const PoolDims d = pool_dims(x, param);
  CONVLAB_CHECK(d.H * d.W <= std::numeric_limits<int32_t>::max(),
                "max_pool_forward: the H*W plane of x " << shape_str(x.shape()) << " is too large for int32 argmax");
  return d;
}

PoolDims max_pool_check_backward(const Tensor& dout, const PoolCache& cache, Device device) {
  const PoolDims d = max_pool_check_forward(cache.x, cache.param, device);
  expect_same("max_pool_backward", device, cache.x.dtype(), {{"dout", &dout}});
  dout.expect_shape("max_pool_backward: dout", {d.N, d.C, d.Hout, d.Wout});
  return d;
}

}  // namespace convlab
