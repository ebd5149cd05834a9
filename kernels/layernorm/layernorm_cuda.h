// The CUDA variants of layernorm (naive, warp) as registry entries, built on the
// shared norm kernels of kernels/norm/ (kernels/layernorm/layernorm_cuda.cpp).
#pragma once
#include "host/ops/layernorm/layernorm.h"
#include "kernels/norm/norm_host.h"

namespace convlab::cuda {

LayerNormImpl layernorm_impl(NormVariant v);

}  // namespace convlab::cuda
