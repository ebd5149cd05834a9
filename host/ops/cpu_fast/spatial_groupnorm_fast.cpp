// Fast CPU spatial group norm on (N, C, H, W) with G groups: statistics per
// (n, group), threaded over the N * G groups, each one contiguous span
// (host/ops/cpu_fast/norm_fast_common.h).
#include "host/ops/cpu_fast/fast_ops.h"
#include "host/ops/cpu_fast/norm_fast_common.h"

namespace convlab::fast {

Forward<NormCache> spatial_groupnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                             const GroupNormParam& param) {
  const NormDims d = spatial_groupnorm_dims("spatial_groupnorm_forward", x, gamma, beta, param.G);
  CONVLAB_CHECK(x.device() == Device::cpu, "spatial_groupnorm_forward (cpu fast): x must be a CPU tensor, got "
                                               << device_name(x.device()));
  check_norm_eps("spatial_groupnorm_forward", param.eps);
  return norm_forward_train(d, x, gamma, beta, param.eps);
}

Grads3 spatial_groupnorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d =
      spatial_groupnorm_dims("spatial_groupnorm_backward", cache.x, cache.gamma, cache.beta, cache.groups);
  check_norm_backward("spatial_groupnorm_backward", dout, cache, d);
  return norm_backward(d, dout, cache);
}

}  // namespace convlab::fast
