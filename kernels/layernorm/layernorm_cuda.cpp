// CUDA layernorm (N, D): the G = 1, (N, D, 1) case of the group-norm kernels.
#include "host/ops/layernorm/layernorm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda {

namespace {

template <NormVariant V>
Forward<NormCache> forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, const LayerNormParam& param) {
  const char* op = "layernorm_forward";
  return group_norm_forward(op, layernorm_dims(op, x, gamma, beta), x, gamma, beta, param.eps, V);
}

template <NormVariant V>
NormGrads backward(const Tensor& dout, const NormCache& cache) {
  const char* op = "layernorm_backward";
  return group_norm_backward(op, layernorm_dims(op, cache.x, cache.gamma, cache.beta), dout, cache, V);
}

}  // namespace

LayerNormImpl layernorm_naive() { return {forward<NormVariant::naive>, backward<NormVariant::naive>}; }

LayerNormImpl layernorm_warp() { return {forward<NormVariant::warp>, backward<NormVariant::warp>}; }

}  // namespace convlab::cuda
