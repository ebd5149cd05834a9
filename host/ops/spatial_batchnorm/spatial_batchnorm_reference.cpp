// CPU reference of spatial batchnorm on (N, C, H, W), float and double:
// statistics per channel c over N, H and W.
#include "host/ops/norm/norm_reference_common.h"
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"

namespace convlab::ref {

Forward<NormCache> spatial_batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                             BatchNormParam& param) {
  const NormDims d = spatial_batchnorm_dims("spatial_batchnorm_forward", x, gamma, beta);
  return batchnorm_forward_any("spatial_batchnorm_forward", d, x, gamma, beta, param);
}

NormGrads spatial_batchnorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d = spatial_batchnorm_dims("spatial_batchnorm_backward", cache.x, cache.gamma, cache.beta);
  check_norm_backward("spatial_batchnorm_backward", dout, cache, d);
  return norm_backward_closed(d, dout, cache);
}

}  // namespace convlab::ref
