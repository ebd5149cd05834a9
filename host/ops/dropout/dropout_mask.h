// The dropout mask of one element, shared by the CPU reference and the GPU
// kernels so that both draw the same mask for the same seed: element i is
// kept iff counter_uniform01(seed, i) < p (compared in double), and a kept
// element is scaled by 1/p computed in double and rounded to T.
#pragma once
#include <cstdint>

#include "host/random/counter_rng.h"

namespace convlab {

CONVLAB_HD bool dropout_keep(uint64_t seed, uint64_t index, double p) {
  return static_cast<double>(counter_uniform01(seed, index)) < p;
}

// The mask value of element `index`: 1/p when kept, 0 when dropped.
template <class T>
CONVLAB_HD T dropout_mask_value(uint64_t seed, uint64_t index, double p) {
  return dropout_keep(seed, index, p) ? static_cast<T>(1.0 / p) : static_cast<T>(0);
}

}  // namespace convlab
