// The checks of a fused conv_relu_pool variant's backward (cpu/threaded, cuda/fused).
#include "host/ops/conv_relu_pool/conv_relu_pool.h"

namespace convlab {

ConvDims conv_relu_pool_check_fused_backward(const Tensor& dout, const ConvReluPoolCache& cache, Device device,
                                             const char* what) {
  CONVLAB_CHECK(cache.pooled.defined() && cache.pool.argmax.defined(),
                "conv_relu_pool_backward (" << what
                                            << "): the cache does not come from the fused variant (no pooled output "
                                               "and argmax); run the backward with the variant that made the cache");
  const Tensor& x = cache.conv.x;
  const ConvDims d = conv_dims(x, cache.conv.w, cache.conv.b, cache.conv.param);
  CONVLAB_CHECK(x.device() == device, "conv_relu_pool_backward (" << what << "): cache.conv.x must be a "
                                                                  << device_name(device) << " tensor, got "
                                                                  << device_name(x.device()));
  const PoolDims pd = pool_dims(Shape{d.N, d.F, d.Hout, d.Wout}, cache.pool.param);
  const Shape out_shape{d.N, d.F, pd.Hout, pd.Wout};
  expect_same("conv_relu_pool_backward", device, x.dtype(), {{"dout", &dout}, {"cache.pooled", &cache.pooled}});
  dout.expect_shape("conv_relu_pool_backward: dout", out_shape);
  cache.pooled.expect_shape("conv_relu_pool_backward: cache.pooled", out_shape);
  CONVLAB_CHECK(cache.pool.argmax.dtype() == DType::i32 && cache.pool.argmax.device() == device,
                "conv_relu_pool_backward: cache.pool.argmax must be an int32 " << device_name(device) << " tensor");
  cache.pool.argmax.expect_shape("conv_relu_pool_backward: cache.pool.argmax", out_shape);
  return d;
}

}  // namespace convlab
