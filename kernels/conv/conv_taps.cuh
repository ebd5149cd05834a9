// Device helper shared by the conv kernels that gather gradients into an
// input position (conv_naive's dx, col2im).
#pragma once
#include <cstdint>

namespace convlab::cuda {

// The output position o of the tap k that reads input position h
// (o * stride - pad + k == h), when it is a whole position in [0, count).
__device__ __forceinline__ bool output_of_tap(int64_t h, int64_t k, int stride, int pad, int64_t count, int64_t& o) {
  const int64_t t = h + pad - k;
  if (t < 0 || t % stride != 0) return false;
  o = t / stride;
  return o < count;
}

}  // namespace convlab::cuda
