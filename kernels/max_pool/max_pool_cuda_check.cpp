// Input checks shared by the CUDA variants of max_pool.
#include <limits>

#include "kernels/max_pool/max_pool_cuda.h"

namespace convlab::cuda {

PoolDims max_pool_check_forward(const Tensor& x, const PoolParam& param) {
  x.expect_float("max_pool_forward: x");
  expect_same("max_pool_forward", Device::cuda, x.dtype(), {{"x", &x}});
  const PoolDims d = pool_dims(x, param);
  CONVLAB_CHECK(d.H * d.W <= std::numeric_limits<int32_t>::max(),
                "max_pool_forward: the H*W plane of x " << shape_str(x.shape()) << " is too large for int32 argmax");
  return d;
}

PoolDims max_pool_check_backward(const Tensor& dout, const PoolCache& cache) {
  const PoolDims d = max_pool_check_forward(cache.x, cache.param);
  expect_same("max_pool_backward", Device::cuda, cache.x.dtype(), {{"dout", &dout}});
  dout.expect_shape("max_pool_backward: dout", {d.N, d.C, d.Hout, d.Wout});
  return d;
}

}  // namespace convlab::cuda
