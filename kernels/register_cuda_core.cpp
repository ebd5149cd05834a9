// Registers the CUDA variants ("cuda/<variant>") of affine, relu, conv,
// max_pool, dropout, softmax_loss and svm_loss, and conv_relu_pool as their
// chain. The default of each op is
// the variant expected to be fastest on large inputs (make_default = true).
#include "host/ops/conv_relu_pool.h"
#include "kernels/affine_cuda.h"
#include "kernels/conv_cuda.h"
#include "kernels/elementwise_cuda.h"
#include "kernels/loss_cuda.h"
#include "kernels/max_pool_cuda.h"

namespace convlab {

void register_cuda_core_ops() {
  OpRegistry<AffineImpl>::add(Device::cuda, "naive", {cuda::affine_forward_naive, cuda::affine_backward_naive});
  OpRegistry<AffineImpl>::add(Device::cuda, "cublas", {cuda::affine_forward_cublas, cuda::affine_backward_cublas}, true);

  OpRegistry<ReluImpl>::add(Device::cuda, "naive", {cuda::relu_forward_naive, cuda::relu_backward_naive}, true);

  OpRegistry<ConvImpl>::add(Device::cuda, "naive", {cuda::conv_forward_naive, cuda::conv_backward_naive});
  OpRegistry<ConvImpl>::add(Device::cuda, "tiled", {cuda::conv_forward_tiled, cuda::conv_backward_tiled});
  OpRegistry<ConvImpl>::add(Device::cuda, "gemm", {cuda::conv_forward_gemm, cuda::conv_backward_gemm}, true);

  // conv_relu_pool: the chain of the default CUDA ops.
  OpRegistry<ConvReluPoolImpl>::add(Device::cuda, "composed",
                                    {conv_relu_pool_forward_composed, conv_relu_pool_backward_composed}, true);

  OpRegistry<MaxPoolImpl>::add(Device::cuda, "naive", {cuda::max_pool_forward_naive, cuda::max_pool_backward_naive});
  OpRegistry<MaxPoolImpl>::add(Device::cuda, "fast", {cuda::max_pool_forward_fast, cuda::max_pool_backward_fast}, true);

  OpRegistry<DropoutImpl>::add(Device::cuda, "naive", {cuda::dropout_forward_naive, cuda::dropout_backward_naive}, true);

  OpRegistry<SoftmaxLossImpl>::add(Device::cuda, "naive", {cuda::softmax_loss_naive});
  OpRegistry<SoftmaxLossImpl>::add(Device::cuda, "warp", {cuda::softmax_loss_warp}, true);
  OpRegistry<SvmLossImpl>::add(Device::cuda, "naive", {cuda::svm_loss_naive});
  OpRegistry<SvmLossImpl>::add(Device::cuda, "warp", {cuda::svm_loss_warp}, true);
}

}  // namespace convlab
