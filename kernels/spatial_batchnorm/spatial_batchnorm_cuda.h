// The CUDA variants of spatial_batchnorm (naive, warp) as registry entries, built on the
// shared norm kernels of kernels/norm/ (kernels/spatial_batchnorm/spatial_batchnorm_cuda.cpp).
#pragma once
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda {

SpatialBatchNormImpl spatial_batchnorm_impl(NormVariant v);

}  // namespace convlab::cuda
