// CUDA batchnorm (N, D): the (N, D, 1) case of the channel-norm kernels.
// naive: backward is cs231n's staged graph, backward_alt the closed form;
// fast: both are the fused closed form.
#include "kernels/norm/norm_impls.h"

namespace convlab::cuda_norm {

namespace {

template <Variant V>
Forward<NormCache> forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormParam& param) {
  const char* op = "batchnorm_forward";
  return channel_norm_forward(op, batchnorm_dims(op, x, gamma, beta), x, gamma, beta, param, V);
}

template <Variant V, bool kStaged>
Grads3 backward(const Tensor& dout, const NormCache& cache) {
  const char* op = kStaged ? "batchnorm_backward" : "batchnorm_backward_alt";
  return channel_norm_backward(op, batchnorm_dims(op, cache.x, cache.gamma, cache.beta), dout, cache, V, kStaged);
}

}  // namespace

BatchNormImpl batchnorm_impl(Variant v) {
  if (v == Variant::fast)
    return {forward<Variant::fast>, backward<Variant::fast, false>, backward<Variant::fast, false>};
  return {forward<Variant::naive>, backward<Variant::naive, true>, backward<Variant::naive, false>};
}

}  // namespace convlab::cuda_norm
