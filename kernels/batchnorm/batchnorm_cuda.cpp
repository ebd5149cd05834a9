// CUDA batchnorm (N, D): the (N, D, 1) case of the channel-norm kernels.
// naive: backward is cs231n's staged graph, backward_alt the closed form;
// warp: both are the fused closed form.
#include "host/ops/batchnorm/batchnorm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda {

namespace {

template <NormVariant V>
Forward<NormCache> forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param) {
  const char* op = "batchnorm_forward";
  return channel_norm_forward(op, batchnorm_dims(op, x, gamma, beta), x, gamma, beta, param, V);
}

template <NormVariant V, bool kStaged>
NormGrads backward(const Tensor& dout, const NormCache& cache) {
  const char* op = kStaged ? "batchnorm_backward" : "batchnorm_backward_alt";
  return channel_norm_backward(op, batchnorm_dims(op, cache.x, cache.gamma, cache.beta), dout, cache, V, kStaged);
}

}  // namespace

BatchNormImpl batchnorm_naive() {
  return {forward<NormVariant::naive>, backward<NormVariant::naive, true>, backward<NormVariant::naive, false>};
}

BatchNormImpl batchnorm_warp() {
  return {forward<NormVariant::warp>, backward<NormVariant::warp, false>, backward<NormVariant::warp, false>};
}

}  // namespace convlab::cuda
