// Host drivers of the CUDA normalisation variants: tensors in, kernels
// launched, tensors out. The op entry points (kernels/batchnorm/batchnorm_cuda.cpp, ...)
// validate the arguments with host/ops/norm/norm_check.h and call these with the
// resulting (A, C, B) view.
#pragma once
#include "host/ops/norm/norm.h"
#include "host/ops/norm/norm_check.h"

namespace convlab::cuda {

enum class NormVariant { naive, warp };

// Batchnorm family (d.per_channel): train mode takes batch statistics and
// updates param's running statistics (created as zeros when empty); test mode
// normalises with them. The cache holds per-channel mean and 1/std.
Forward<NormCache> channel_norm_forward(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                        const Tensor& beta, BatchNormParam& param, NormVariant v);
// staged: cs231n's staged graph backward (naive variant only; the warp
// variant always uses the fused closed form).
NormGrads channel_norm_backward(const char* op, const NormDims& d, const Tensor& dout, const NormCache& cache,
                                NormVariant v, bool staged);

// Layernorm / group norm family (!d.per_channel): statistics per (sample, group).
Forward<NormCache> group_norm_forward(const char* op, const NormDims& d, const Tensor& x, const Tensor& gamma,
                                      const Tensor& beta, double eps, NormVariant v);
NormGrads group_norm_backward(const char* op, const NormDims& d, const Tensor& dout, const NormCache& cache,
                              NormVariant v);

}  // namespace convlab::cuda
