#include "host/ops/max_pool/max_pool.h"
#include "models/layers.h"

namespace convlab {

MaxPoolLayer::MaxPoolLayer(const Shape& in, PoolParam param) : param_(param) {
  CONVLAB_CHECK(in.size() == 3, "max_pool layer: expects (C, H, W) input per sample, got " << shape_str(in));
  CONVLAB_CHECK(param.pool_height >= 1 && param.pool_width >= 1 && param.stride >= 1,
                "max_pool layer: pool size and stride must be >= 1");
  CONVLAB_CHECK(in[1] >= param.pool_height && in[2] >= param.pool_width,
                "max_pool layer: pool " << param.pool_height << "x" << param.pool_width << " larger than input "
                                        << shape_str(in));
  out_ = {in[0], 1 + (in[1] - param.pool_height) / param.stride, 1 + (in[2] - param.pool_width) / param.stride};
}

Tensor MaxPoolLayer::forward(const Tensor& x, Mode) {
  auto f = max_pool_forward(x, param_);
  cache_ = std::move(f.cache);
  return f.out;
}

Tensor MaxPoolLayer::backward(const Tensor& dout) { return max_pool_backward(dout, cache_); }

}  // namespace convlab
