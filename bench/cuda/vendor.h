// Vendor-library baselines, attached to the cases they cover.
#pragma once
#include <vector>

#include "bench/harness.h"

namespace convlab::bench {

void attach_cublas_baselines(std::vector<Case>& cases);  // affine: SGEMM
void attach_cudnn_baselines(std::vector<Case>& cases);   // conv, max_pool, batchnorm, spatial_batchnorm

}  // namespace convlab::bench
