// Host entry points of kernels/data/batch_gather.cu (built only with CUDA).
#pragma once
#include <cstdint>

#include "host/tensor.h"

namespace convlab::kernels {

// out (B, D) float32 = float(src[idx[b], :]) - mean (mean may be undefined);
// src (N, D...) uint8 or float32, idx (B,) int32, all on the GPU.
void batch_gather_cuda(const Tensor& src, const Tensor& mean, const Tensor& idx, Tensor& out);
// out (B,) = labels[idx[b]]; labels int32 or float32 (4-byte elements, copied as is).
void gather_labels_cuda(const Tensor& labels, const Tensor& idx, Tensor& out);

}  // namespace convlab::kernels
