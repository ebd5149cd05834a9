// Registers every variant of affine (the list and the defaults: host/ops/affine/affine.h).
#include "host/ops/affine/affine.h"

namespace convlab {

void register_affine_ops() {
  using R = OpRegistry<AffineImpl>;
  R::add(Device::cpu, "reference", {ref::affine_forward, ref::affine_backward});
  R::add(Device::cpu, "threaded", {threaded::affine_forward, threaded::affine_backward});
  R::set_default(Device::cpu, kAffineDefaultCpu);
#if CONVLAB_HAVE_CUDA
  R::add(Device::cuda, "naive", {cuda::affine_forward_naive, cuda::affine_backward_naive});
  R::add(Device::cuda, "gemm", {cuda::affine_forward_gemm, cuda::affine_backward_gemm});
  R::add(Device::cuda, "gemm_tf32", {cuda::affine_forward_gemm_tf32, cuda::affine_backward_gemm_tf32},
         MathPrecision::tf32);
  R::add(Device::cuda, "gemm_bf16", {cuda::affine_forward_gemm_bf16, cuda::affine_backward_gemm_bf16},
         MathPrecision::bf16);
  R::set_default(Device::cuda, kAffineDefaultCuda);
  R::set_default(Device::cuda, kAffineDefaultCudaTf32);
  R::set_default(Device::cuda, kAffineDefaultCudaBf16);
#endif
}

}  // namespace convlab
