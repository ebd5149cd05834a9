// The dropout keep decision of one element, shared by the CPU reference and
// the GPU kernels so that both draw the same mask for the same seed: element
// i is kept iff counter_uniform01(seed, i) < p (compared in double).
#pragma once
#include <cstdint>

#include "host/random/counter_rng.h"

namespace convlab {

CONVLAB_HD bool dropout_keep(uint64_t seed, uint64_t index, double p) {
  return static_cast<double>(counter_uniform01(seed, index)) < p;
}

}  // namespace convlab
