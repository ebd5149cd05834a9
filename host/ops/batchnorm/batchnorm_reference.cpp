// CPU reference of batchnorm on (N, D), float and double: statistics per
// feature d over the N rows; backward as the computational graph and in the
// simplified closed form.
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/norm/norm_reference_common.h"

namespace convlab::ref {

Forward<NormCache> batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param) {
  const NormDims d = batchnorm_dims("batchnorm_forward", x, gamma, beta);
  return batchnorm_forward_any("batchnorm_forward", d, x, gamma, beta, param);
}

NormGrads batchnorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d = batchnorm_dims("batchnorm_backward", cache.x, cache.gamma, cache.beta);
  check_norm_backward("batchnorm_backward", dout, cache, d);
  return norm_backward_graph(d, dout, cache);
}

NormGrads batchnorm_backward_alt(const Tensor& dout, const NormCache& cache) {
  const NormDims d = batchnorm_dims("batchnorm_backward_alt", cache.x, cache.gamma, cache.beta);
  check_norm_backward("batchnorm_backward_alt", dout, cache, d);
  return norm_backward_closed(d, dout, cache);
}

}  // namespace convlab::ref
