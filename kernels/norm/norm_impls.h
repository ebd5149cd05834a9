// The CUDA variants of the normalisation ops, as registry entries
// (registered by kernels/register_cuda_norms.cpp).
#pragma once
#include "host/ops/norm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda_norm {

BatchNormImpl batchnorm_impl(Variant v);                // kernels/batchnorm.cpp
SpatialBatchNormImpl spatial_batchnorm_impl(Variant v); // kernels/spatial_batchnorm.cpp
LayerNormImpl layernorm_impl(Variant v);                // kernels/layernorm.cpp
SpatialGroupNormImpl spatial_groupnorm_impl(Variant v); // kernels/spatial_groupnorm.cpp

}  // namespace convlab::cuda_norm
