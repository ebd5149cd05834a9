// Host entry point of kernels/data/augment_gather.cu (built only with CUDA).
#pragma once
#include "host/tensor.h"

namespace convlab::kernels {

// out (B, C, H, W) float32: sample b is src[idx[b]] augmented with params[b]
// (params (B, 7) int32 as AugmentSample, or undefined for none) and
// normalised with the mean image `mean` or the per-channel channel_mean /
// channel_std (each may be undefined); src (N, C, H, W) uint8 or float32,
// idx (B,) int32, all on the GPU. The same floats as augment_gather_cpu.
void augment_gather_cuda(const Tensor& src, const Tensor& mean, const Tensor& channel_mean, const Tensor& channel_std,
                         const Tensor& idx, const Tensor& params, bool reflect, Tensor& out);

}  // namespace convlab::kernels
