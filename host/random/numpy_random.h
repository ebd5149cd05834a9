// NumpyRandom: a bit-exact re-implementation of numpy's legacy RandomState
// (np.random.seed / rand / randn / randint / permutation / choice), so that
// convlab reproduces the notebooks' inputs, data splits and initialisations.
//
// MT19937 seeded with init_genrand; random_sample builds a 53-bit double from
// two 32-bit draws; randn is the polar Box-Muller method caching its second
// value; bounded integers use masked rejection sampling.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace convlab {

class NumpyRandom {
 public:
  explicit NumpyRandom(uint32_t seed = 0) { seed_(seed); }
  void seed_(uint32_t seed);  // np.random.seed(seed)

  uint32_t next_uint32();
  double random_sample();  // np.random.random_sample(): [0, 1)
  double uniform(double low, double high) { return low + (high - low) * random_sample(); }
  double randn();  // np.random.randn()
  // np.random.randint(low, high): uniform in [low, high).
  int64_t randint(int64_t low, int64_t high);
  // np.random.permutation(n)
  std::vector<int64_t> permutation(int64_t n);
  // Uniform integer in [0, max] as numpy's random_interval (used by shuffle).
  uint64_t random_interval(uint64_t max);

 private:
  std::array<uint32_t, 624> mt_{};
  int pos_ = 624;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

}  // namespace convlab
