// conv, "implicit_gemm_tf32" and "implicit_gemm_bf16" variants: the implicit
// GEMMs of conv_implicit_gemm.cuh on tensor cores (mma.sync), float32
// tensors read as TF32 (cvt.rna) or BF16 (nearest even) operands, float32
// accumulators and results.
#include "kernels/conv/conv_implicit_gemm.cuh"

namespace convlab::cuda {

Forward<ConvCache> conv_forward_implicit_gemm_tf32(const Tensor& x, const Tensor& w, const Tensor& b,
                                                   const ConvParam& param) {
  return ConvImplicitGemm<igemm::Tf32>::forward(x, w, b, param, "conv_forward (implicit_gemm_tf32)");
}

Grads conv_backward_implicit_gemm_tf32(const Tensor& dout, const ConvCache& cache, bool need_dx) {
  return ConvImplicitGemm<igemm::Tf32>::backward(dout, cache, need_dx, "conv_backward (implicit_gemm_tf32)");
}

Forward<ConvCache> conv_forward_implicit_gemm_bf16(const Tensor& x, const Tensor& w, const Tensor& b,
                                                   const ConvParam& param) {
  return ConvImplicitGemm<igemm::Bf16>::forward(x, w, b, param, "conv_forward (implicit_gemm_bf16)");
}

Grads conv_backward_implicit_gemm_bf16(const Tensor& dout, const ConvCache& cache, bool need_dx) {
  return ConvImplicitGemm<igemm::Bf16>::backward(dout, cache, need_dx, "conv_backward (implicit_gemm_bf16)");
}

}  // namespace convlab::cuda
