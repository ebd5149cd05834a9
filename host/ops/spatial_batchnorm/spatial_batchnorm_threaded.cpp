// Fast CPU spatial batchnorm on (N, C, H, W): statistics per channel over
// N, H, W, threaded over channels (host/ops/cpu_fast/norm_fast_common.h).
#include "host/ops/cpu_fast/fast_ops.h"
#include "host/ops/cpu_fast/norm_fast_common.h"

namespace convlab::fast {

Forward<NormCache> spatial_batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                             BatchNormParam& param) {
  const NormDims d = spatial_batchnorm_dims("spatial_batchnorm_forward", x, gamma, beta);
  return batchnorm_forward_any("spatial_batchnorm_forward", d, x, gamma, beta, param);
}

Grads3 spatial_batchnorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d = spatial_batchnorm_dims("spatial_batchnorm_backward", cache.x, cache.gamma, cache.beta);
  check_norm_backward("spatial_batchnorm_backward", dout, cache, d);
  return norm_backward(d, dout, cache);
}

}  // namespace convlab::fast
