// CPU reference of layernorm on (N, D), float and double: statistics per row
// over its D features; no running statistics (train and test behave alike).
#include "host/ops/layernorm/layernorm.h"
#include "host/ops/norm/norm_reference_common.h"

namespace convlab::ref {

Forward<NormCache> layernorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                     const LayerNormParam& param) {
  const NormDims d = layernorm_dims("layernorm_forward", x, gamma, beta);
  check_norm_forward("layernorm_forward", "cpu reference", Device::cpu, x, param.eps);
  return norm_forward_train(d, x, gamma, beta, param.eps);
}

NormGrads layernorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d = layernorm_dims("layernorm_backward", cache.x, cache.gamma, cache.beta);
  check_norm_backward("layernorm_backward", dout, cache, d);
  return norm_backward_closed(d, dout, cache);
}

}  // namespace convlab::ref
