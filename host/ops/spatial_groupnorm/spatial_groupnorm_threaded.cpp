// Fast CPU spatial group norm on (N, C, H, W) with G groups: statistics per
// (n, group), threaded over the N * G groups, each one contiguous span
// (host/ops/norm/norm_threaded_common.h).
#include "host/ops/norm/norm_threaded_common.h"
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"

namespace convlab::threaded {

Forward<NormCache> spatial_groupnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                             const GroupNormParam& param) {
  const NormDims d = spatial_groupnorm_dims("spatial_groupnorm_forward", x, gamma, beta, param.G);
  check_norm_forward("spatial_groupnorm_forward", "cpu fast", Device::cpu, x, param.eps);
  return norm_forward_train(d, x, gamma, beta, param.eps);
}

NormGrads spatial_groupnorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d =
      spatial_groupnorm_dims("spatial_groupnorm_backward", cache.x, cache.gamma, cache.beta, cache.groups);
  check_norm_backward("spatial_groupnorm_backward", dout, cache, d);
  return norm_backward(d, dout, cache);
}

}  // namespace convlab::threaded
