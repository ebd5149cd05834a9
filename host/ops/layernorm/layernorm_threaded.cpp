// Fast CPU layernorm on (N, D): statistics per row, threaded over rows
// (host/ops/cpu_fast/norm_fast_common.h).
#include "host/ops/cpu_fast/fast_ops.h"
#include "host/ops/cpu_fast/norm_fast_common.h"

namespace convlab::fast {

Forward<NormCache> layernorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                     const LayerNormParam& param) {
  const NormDims d = layernorm_dims("layernorm_forward", x, gamma, beta);
  check_norm_forward("layernorm_forward", "cpu fast", Device::cpu, x, param.eps);
  return norm_forward_train(d, x, gamma, beta, param.eps);
}

Grads3 layernorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d = layernorm_dims("layernorm_backward", cache.x, cache.gamma, cache.beta);
  check_norm_backward("layernorm_backward", dout, cache, d);
  return norm_backward(d, dout, cache);
}

}  // namespace convlab::fast
