// The fast CPU variants ("cpu/fast"), one file each in host/ops/cpu_fast/:
// conv (direct AVX2 kernels or im2col + GEMM) and affine (OpenBLAS),
// OpenMP-threaded and vectorised max_pool, relu, normalisations,
// softmax_loss and update rules, and the fused conv_relu_pool. Same
// signatures and results as the CPU reference (namespace ref).
#pragma once
#include <vector>

#include "host/ops/affine.h"
#include "host/ops/conv.h"
#include "host/ops/conv_relu_pool.h"
#include "host/ops/loss.h"
#include "host/ops/max_pool.h"
#include "host/ops/norm.h"
#include "host/ops/optim.h"
#include "host/ops/relu.h"

namespace convlab::fast {

Forward<ConvCache> conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param);
Grads3 conv_backward(const Tensor& dout, const ConvCache& cache, bool need_dx);
// Bound on each thread's im2col column tile, in elements (default 64 Ki): a
// tile holds as many whole images as fit, or else part of one image (at
// least 16 output positions). Returns the previous bound.
int64_t set_conv_workspace_elements(int64_t elements);

Forward<ConvReluPoolCache> conv_relu_pool_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                                                  const ConvParam& conv_param, const PoolParam& pool_param);
Grads3 conv_relu_pool_backward(const Tensor& dout, const ConvReluPoolCache& cache, bool need_dx);

Forward<AffineCache> affine_forward(const Tensor& x, const Tensor& w, const Tensor& b);
Grads3 affine_backward(const Tensor& dout, const AffineCache& cache, bool need_dx);

Forward<PoolCache> max_pool_forward(const Tensor& x, const PoolParam& param);
Tensor max_pool_backward(const Tensor& dout, const PoolCache& cache);

Forward<ReluCache> relu_forward(const Tensor& x);
Tensor relu_backward(const Tensor& dout, const ReluCache& cache);

BatchNormForwardFn batchnorm_forward, spatial_batchnorm_forward;  // host/ops/norm.h
LayerNormForwardFn layernorm_forward;
GroupNormForwardFn spatial_groupnorm_forward;
NormBackwardFn batchnorm_backward, spatial_batchnorm_backward, layernorm_backward, spatial_groupnorm_backward;

LossOut softmax_loss(const Tensor& x, const Tensor& y);

void optim_step(std::vector<ParamSlot>& params, const OptimConfig& config, int64_t t);

}  // namespace convlab::fast
