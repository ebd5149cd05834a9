#include "host/random/numpy_random.h"

#include <cmath>
#include <numeric>

#include "host/error.h"

namespace convlab {

void NumpyRandom::seed_(uint32_t seed) {
  mt_[0] = seed;
  for (uint32_t i = 1; i < 624; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + i;
  pos_ = 624;
  has_gauss_ = false;
  gauss_ = 0.0;
}

uint32_t NumpyRandom::next_uint32() {
  constexpr uint32_t kUpper = 0x80000000u, kLower = 0x7fffffffu, kMatrixA = 0x9908b0dfu;
  if (pos_ >= 624) {
    int i = 0;
    for (; i < 624 - 397; ++i) {
      uint32_t y = (mt_[i] & kUpper) | (mt_[i + 1] & kLower);
      mt_[i] = mt_[i + 397] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    for (; i < 623; ++i) {
      uint32_t y = (mt_[i] & kUpper) | (mt_[i + 1] & kLower);
      mt_[i] = mt_[i + 397 - 624] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    uint32_t y = (mt_[623] & kUpper) | (mt_[0] & kLower);
    mt_[623] = mt_[396] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    pos_ = 0;
  }
  uint32_t y = mt_[static_cast<std::size_t>(pos_++)];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= (y >> 18);
  return y;
}

double NumpyRandom::random_sample() {
  const uint32_t a = next_uint32() >> 5, b = next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double NumpyRandom::randn() {
  if (has_gauss_) {
    has_gauss_ = false;
    return gauss_;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

static uint64_t mask_for(uint64_t max) {
  uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  return mask;
}

uint64_t NumpyRandom::random_interval(uint64_t max) {
  if (max == 0) return 0;
  const uint64_t mask = mask_for(max);
  uint64_t value;
  if (max <= 0xffffffffULL) {
    while ((value = (next_uint32() & mask)) > max) {
    }
  } else {
    while ((value = (((static_cast<uint64_t>(next_uint32()) << 32) | next_uint32()) & mask)) > max) {
    }
  }
  return value;
}

int64_t NumpyRandom::randint(int64_t low, int64_t high) {
  CONVLAB_CHECK(high > low, "randint: high (" << high << ") must be greater than low (" << low << ")");
  const uint64_t rng = static_cast<uint64_t>(high - 1 - low);
  if (rng == 0) return low;
  if (rng == 0xffffffffULL) return low + static_cast<int64_t>(next_uint32());
  // Masked rejection sampling, as numpy's legacy bounded integers.
  return low + static_cast<int64_t>(random_interval(rng));
}

std::vector<int64_t> NumpyRandom::permutation(int64_t n) {
  CONVLAB_CHECK(n >= 0, "permutation: n must be non-negative, got " << n);
  std::vector<int64_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), 0);
  for (int64_t i = n - 1; i >= 1; --i) {
    const auto j = static_cast<int64_t>(random_interval(static_cast<uint64_t>(i)));
    std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
  }
  return p;
}

}  // namespace convlab
