// lerp_(a, b, weight): a += weight * (b - a), elementwise and in place, on
// the CPU or the GPU (a and b on the same device, same shape, float32 or
// float64). The update of the weight averages (host/solver/weight_average.h)
// and the mean of test-time-augmentation scores (host/solver/tta.h).
//
// Variants (chosen by the tensors' device):
//   cpu    host/solver/lerp.cpp     one loop, split over the threads when large
//   cuda   kernels/solver/lerp.cu   grid-stride loop, one element per thread
#pragma once
#include "host/tensor.h"

namespace convlab {

void lerp_(Tensor& a, const Tensor& b, double weight);

}  // namespace convlab
