// CPU reference of spatial group norm on (N, C, H, W), float and double:
// the C channels form G groups of C/G; statistics per (n, group) over its
// C/G channels and H, W; gamma and beta per channel, shape (C,).
#include "host/ops/norm/norm_reference_common.h"
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"

namespace convlab::ref {

Forward<NormCache> spatial_groupnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                             const GroupNormParam& param) {
  const NormDims d = spatial_groupnorm_dims("spatial_groupnorm_forward", x, gamma, beta, param.G);
  check_norm_forward("spatial_groupnorm_forward", "cpu reference", Device::cpu, x, param.eps);
  return norm_forward_train(d, x, gamma, beta, param.eps);
}

NormGrads spatial_groupnorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d =
      spatial_groupnorm_dims("spatial_groupnorm_backward", cache.x, cache.gamma, cache.beta, cache.groups);
  check_norm_backward("spatial_groupnorm_backward", dout, cache, d);
  return norm_backward_closed(d, dout, cache);
}

}  // namespace convlab::ref
