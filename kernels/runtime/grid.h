// Grid-size helpers for kernel launches sized to the device (plain C++;
// usable from .cu and .cpp).
#pragma once
#include <algorithm>
#include <cstdint>

namespace convlab::kern {

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Multiprocessor count of the current device, read once (cudaGetDeviceProperties).
int sm_count();

// Blocks for a grid-stride loop over n items with `block` threads each:
// enough to cover n, capped at a few waves of the device (the loop does the rest).
inline unsigned grid_for(int64_t n, int block, int waves = 8) {
  const int64_t need = std::max<int64_t>(1, ceil_div(n, block));
  return static_cast<unsigned>(std::min<int64_t>(need, static_cast<int64_t>(sm_count()) * waves));
}

}  // namespace convlab::kern
