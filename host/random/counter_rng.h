// Counter-based random numbers: uniform01(seed, i) depends only on the seed
// and the element index, so the CPU reference and every GPU kernel draw the
// same dropout mask for the same seed, in any order and any thread layout.
// (SplitMix64 finaliser over seed and counter; 24-bit uniform in [0, 1).)
#pragma once
#include <cstdint>

#if defined(__CUDACC__)
#define CONVLAB_HD __host__ __device__ __forceinline__
#else
#define CONVLAB_HD inline
#endif

namespace convlab {

CONVLAB_HD uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Uniform in [0, 1) with 24 random bits (exact in float and double).
CONVLAB_HD float counter_uniform01(uint64_t seed, uint64_t index) {
  const uint64_t r = splitmix64(splitmix64(seed) ^ (index * 0xd1b54a32d192ed03ULL));
  return static_cast<float>(r >> 40) * (1.0f / 16777216.0f);
}

}  // namespace convlab
