// conv, "implicit_gemm" variant: the three implicit GEMMs of
// conv_implicit_gemm.cuh with FFMA in the tensors' own precision (float or
// double). The float32 fast path beside the tensor-core modes.
#include "kernels/conv/conv_implicit_gemm.cuh"

namespace convlab::cuda {

using ConvIgemmFfma = ConvImplicitGemm<igemm::Ffma<float>>;

Forward<ConvCache> conv_forward_implicit_gemm(const Tensor& x, const Tensor& w, const Tensor& b,
                                              const ConvParam& param) {
  return ConvIgemmFfma::forward(x, w, b, param, "conv_forward (implicit_gemm)");
}

Grads conv_backward_implicit_gemm(const Tensor& dout, const ConvCache& cache, bool need_dx) {
  return ConvIgemmFfma::backward(dout, cache, need_dx, "conv_backward (implicit_gemm)");
}

}  // namespace convlab::cuda
