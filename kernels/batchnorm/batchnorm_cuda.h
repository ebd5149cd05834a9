// The CUDA variants of batchnorm (naive, warp) as registry entries, built on the
// shared norm kernels of kernels/norm/ (kernels/batchnorm/batchnorm_cuda.cpp).
#pragma once
#include "host/ops/batchnorm/batchnorm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda {

BatchNormImpl batchnorm_impl(NormVariant v);

}  // namespace convlab::cuda
