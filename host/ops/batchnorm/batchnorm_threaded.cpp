// Fast CPU batchnorm on (N, D): statistics per feature, threaded over blocks
// of features (host/ops/norm/norm_threaded_common.h). backward and
// backward_alt both use the closed form, which is the same gradient.
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/norm/norm_threaded_common.h"

namespace convlab::threaded {

Forward<NormCache> batchnorm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param) {
  const NormDims d = batchnorm_dims("batchnorm_forward", x, gamma, beta);
  return batchnorm_forward_any("batchnorm_forward", d, x, gamma, beta, param);
}

NormGrads batchnorm_backward(const Tensor& dout, const NormCache& cache) {
  const NormDims d = batchnorm_dims("batchnorm_backward", cache.x, cache.gamma, cache.beta);
  check_norm_backward("batchnorm_backward", dout, cache, d);
  return norm_backward(d, dout, cache);
}

}  // namespace convlab::threaded
