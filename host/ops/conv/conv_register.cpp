// Registers every variant of conv (the list and the defaults: host/ops/conv/conv.h).
#include "host/ops/conv/conv.h"

namespace convlab {

void register_conv_ops() {
  using R = OpRegistry<ConvImpl>;
  R::add(Device::cpu, "reference", {ref::conv_forward, ref::conv_backward});
  R::add(Device::cpu, "threaded", {threaded::conv_forward, threaded::conv_backward});
  R::set_default(Device::cpu, kConvDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", {cuda::conv_forward_naive, cuda::conv_backward_naive});
  R::add(Device::cuda, "tiled", {cuda::conv_forward_tiled, cuda::conv_backward_tiled});
  R::add(Device::cuda, "gemm", {cuda::conv_forward_gemm, cuda::conv_backward_gemm});
  R::add(Device::cuda, "implicit_gemm", {cuda::conv_forward_implicit_gemm, cuda::conv_backward_implicit_gemm});
  R::add(Device::cuda, "implicit_gemm_tf32",
         {cuda::conv_forward_implicit_gemm_tf32, cuda::conv_backward_implicit_gemm_tf32}, MathPrecision::tf32);
  R::add(Device::cuda, "implicit_gemm_bf16",
         {cuda::conv_forward_implicit_gemm_bf16, cuda::conv_backward_implicit_gemm_bf16}, MathPrecision::bf16);
  R::set_default(Device::cuda, kConvDefaultCuda);
  R::set_default(Device::cuda, kConvDefaultCudaTf32);
  R::set_default(Device::cuda, kConvDefaultCudaBf16);
#endif
}

}  // namespace convlab
