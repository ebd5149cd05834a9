// The CUDA variants of spatial_groupnorm (naive, warp) as registry entries, built on the
// shared norm kernels of kernels/norm/ (kernels/spatial_groupnorm/spatial_groupnorm_cuda.cpp).
#pragma once
#include "host/ops/spatial_groupnorm/spatial_groupnorm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda {

SpatialGroupNormImpl spatial_groupnorm_impl(NormVariant v);

}  // namespace convlab::cuda
