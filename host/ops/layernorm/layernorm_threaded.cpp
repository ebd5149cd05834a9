// Fast CPU layernorm on (N, D): statistics per row, threaded over rows
// (host/ops/norm/norm_threaded_common.h).
#include "host/ops/layernorm/layernorm.h"
#include "host/ops/norm/norm_threaded_common.h"

namespace convlab::threaded {

Forward<NormCache> layernorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                     const LayerNormParam& param) {
  const NormDims d = layernorm_dims("layernorm_forward", x, gamma, beta);
  check_norm_forward("layernorm_forward", "cpu fast", Device::cpu, x, param.eps);
  return norm_forward_train(d, x, gamma, beta, param.eps);
}

NormGrads layernorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d = layernorm_dims("layernorm_backward", cache.x, cache.gamma, cache.beta);
  check_norm_backward("layernorm_backward", dout, cache, d);
  return norm_backward(d, dout, cache);
}

}  // namespace convlab::threaded
