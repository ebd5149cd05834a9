// The emulator's 16-bit float types round as sm_80+ hardware does, checked
// bit for bit against patterns worked out by hand from the float's bits:
//   bfloat16 (include/cuda_bf16.h): round to nearest even (cvt.rn.bf16.f32),
//   truncation for _rz, the canonical NaN 0x7FFF, overflow to infinity;
//   half (include/cuda_fp16.h): IEEE binary16, round to nearest even
//   (cvt.rn.f16.f32) with subnormals and overflow to infinity, truncation
//   for _rz;
// and both widen to float exactly.
#include <gtest/gtest.h>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// The conversions of one type, for the one kernel below.
struct Bf16 {
  static unsigned short rn(float f) { return __bfloat16_as_ushort(__float2bfloat16(f)); }
  static unsigned short rz(float f) { return __bfloat16_as_ushort(__float2bfloat16_rz(f)); }
  static float back(float f) { return __bfloat162float(__float2bfloat16(f)); }
};
struct Fp16 {
  static unsigned short rn(float f) { return __half_as_ushort(__float2half(f)); }
  static unsigned short rz(float f) { return __half_as_ushort(__float2half_rz(f)); }
  static float back(float f) { return __half2float(__float2half(f)); }
};

// One thread per value: its round-to-nearest and truncated bits, and the
// rounded value widened back to float.
template <class Type>
__global__ void round_kernel(const float* in, unsigned short* rn, unsigned short* rz, float* back, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  rn[i] = Type::rn(in[i]);
  rz[i] = Type::rz(in[i]);
  back[i] = Type::back(in[i]);
}

float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

struct Rounded {
  std::vector<unsigned short> rn, rz;
  std::vector<float> back;
};

template <class T>
T* device_array(std::size_t n) {
  T* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, n * sizeof(T)), cudaSuccess);
  return p;
}

template <class Type>
Rounded round_on_device(const std::vector<float>& x) {
  const int n = static_cast<int>(x.size());
  float *in = device_array<float>(n), *back = device_array<float>(n);
  unsigned short *rn = device_array<unsigned short>(n), *rz = device_array<unsigned short>(n);
  EXPECT_EQ(cudaMemcpy(in, x.data(), n * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
  round_kernel<Type><<<(n + 127) / 128, 128>>>(in, rn, rz, back, n);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  Rounded r{std::vector<unsigned short>(n), std::vector<unsigned short>(n), std::vector<float>(n)};
  EXPECT_EQ(cudaMemcpy(r.rn.data(), rn, n * sizeof(unsigned short), cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(r.rz.data(), rz, n * sizeof(unsigned short), cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(r.back.data(), back, n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
  for (void* p : {static_cast<void*>(in), static_cast<void*>(back), static_cast<void*>(rn), static_cast<void*>(rz)})
    cudaFree(p);
  return r;
}

}  // namespace

TEST(CudaBf16, RoundsToNearestEvenAndTruncates) {
  struct Case {
    uint32_t in;
    unsigned short rn, rz;
  };
  const std::vector<Case> cases = {
      {0x3F800000u, 0x3F80, 0x3F80},  // 1.0: exact
      {0x3F808000u, 0x3F80, 0x3F80},  // 1 + 2^-8: a tie, the even neighbour is below
      {0x3F818000u, 0x3F82, 0x3F81},  // 1 + 3 * 2^-8: a tie, the even neighbour is above
      {0x3F808001u, 0x3F81, 0x3F80},  // just above the tie: up
      {0x3F807FFFu, 0x3F80, 0x3F80},  // just below the tie: down
      {0xBF818000u, 0xBF82, 0xBF81},  // negative ties round by magnitude
      {0x80000000u, 0x8000, 0x8000},  // -0
      {0x00008000u, 0x0000, 0x0000},  // a subnormal tie, to even (zero)
      {0x00018000u, 0x0002, 0x0001},  // a subnormal tie, to even (up)
      {0x7F7FFFFFu, 0x7F80, 0x7F7F},  // FLT_MAX: rounds to infinity, truncates to the largest bf16
      {0x7F800000u, 0x7F80, 0x7F80},  // +inf
      {0xFF800000u, 0xFF80, 0xFF80},  // -inf
      {0x7FC00000u, 0x7FFF, 0x7FFF},  // quiet NaN: the canonical NaN
      {0xFFA00001u, 0x7FFF, 0x7FFF},  // a negative signalling NaN: the canonical NaN too
  };
  std::vector<float> x;
  for (const auto& c : cases) x.push_back(from_bits(c.in));
  const Rounded r = round_on_device<Bf16>(x);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "input bits 0x" << std::hex << cases[i].in);
    EXPECT_EQ(r.rn[i], cases[i].rn);
    EXPECT_EQ(r.rz[i], cases[i].rz);
  }
}

TEST(CudaBf16, WideningIsExactAndEveryValueRoundTrips) {
  // Every bf16 bit pattern but the NaNs: widened to float, its bits are the
  // pattern followed by 16 zero bits, and rounding it back gives the pattern.
  std::vector<float> x;
  std::vector<unsigned short> patterns;
  for (uint32_t b = 0; b < 0x10000u; ++b) {
    if ((b & 0x7FFFu) > 0x7F80u) continue;
    patterns.push_back(static_cast<unsigned short>(b));
    x.push_back(from_bits(b << 16));
  }
  const Rounded r = round_on_device<Bf16>(x);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    uint32_t back_bits;
    std::memcpy(&back_bits, &r.back[i], sizeof back_bits);
    if (r.rn[i] != patterns[i] || r.rz[i] != patterns[i] || back_bits != uint32_t(patterns[i]) << 16) ++bad;
  }
  EXPECT_EQ(bad, 0u) << "of " << x.size() << " bf16 values";
  EXPECT_EQ(x.size(), 65536u - 2u * 127u);  // 127 NaN patterns of each sign
}

TEST(CudaBf16, RoundingErrorIsAtMostHalfAnUlp) {
  // Random floats in [-4, 4]: bf16 keeps 8 significant bits, so for 2^e <= |x| < 2^(e+1)
  // the rounding error is at most half its spacing 2^(e-7): 2^(e-8).
  std::vector<float> x;
  uint32_t s = 12345;
  for (int i = 0; i < 4096; ++i) {
    s = s * 1664525u + 1013904223u;
    x.push_back((static_cast<float>(s >> 8) / 16777216.0f - 0.5f) * 8.0f);
  }
  const Rounded r = round_on_device<Bf16>(x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] == 0.0f) continue;
    EXPECT_LE(std::abs(r.back[i] - x[i]), std::ldexp(1.0f, std::ilogb(x[i]) - 8)) << x[i];
  }
}

TEST(CudaFp16, RoundsToNearestEvenAndTruncates) {
  struct Case {
    uint32_t in;
    unsigned short rn, rz;
  };
  const std::vector<Case> cases = {
      {0x3F800000u, 0x3C00, 0x3C00},  // 1.0
      {0x3F801000u, 0x3C00, 0x3C00},  // 1 + 2^-11: a tie, the even neighbour is below
      {0x3F803000u, 0x3C02, 0x3C01},  // 1 + 3 * 2^-11: a tie, the even neighbour is above
      {0x3F801001u, 0x3C01, 0x3C00},  // just above the tie: up
      {0xBF803000u, 0xBC02, 0xBC01},  // negative ties round by magnitude
      {0x477FE000u, 0x7BFF, 0x7BFF},  // 65504, the largest half
      {0x477FF000u, 0x7C00, 0x7BFF},  // 65520: a tie above an odd significand, up to infinity
      {0x477FEFFFu, 0x7BFF, 0x7BFF},  // just below the tie
      {0x49742400u, 0x7C00, 0x7BFF},  // 1e6: overflow; truncation keeps the largest
      {0x38800000u, 0x0400, 0x0400},  // 2^-14, the smallest normal
      {0x33800000u, 0x0001, 0x0001},  // 2^-24, the smallest subnormal
      {0x33000000u, 0x0000, 0x0000},  // 2^-25: a tie, to even (zero)
      {0x33C00000u, 0x0002, 0x0001},  // 1.5 * 2^-24: a tie, to even (up)
      {0x387FE000u, 0x0400, 0x03FF},  // just below 2^-14: rounds up into the normals
      {0x80000000u, 0x8000, 0x8000},  // -0
      {0x7F800000u, 0x7C00, 0x7C00},  // +inf
      {0xFF800000u, 0xFC00, 0xFC00},  // -inf
      {0x7FC00000u, 0x7FFF, 0x7FFF},  // NaN
  };
  std::vector<float> x;
  for (const auto& c : cases) x.push_back(from_bits(c.in));
  const Rounded r = round_on_device<Fp16>(x);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "input bits 0x" << std::hex << cases[i].in);
    EXPECT_EQ(r.rn[i], cases[i].rn);
    EXPECT_EQ(r.rz[i], cases[i].rz);
  }
}

TEST(CudaFp16, WideningIsExactAndEveryValueRoundTrips) {
  // Every half but the NaNs: widened to float it is the value its fields
  // give, and rounding it back (either way) gives the pattern.
  std::vector<float> x;
  std::vector<unsigned short> patterns;
  for (uint32_t b = 0; b < 0x10000u; ++b) {
    if ((b & 0x7FFFu) > 0x7C00u) continue;
    patterns.push_back(static_cast<unsigned short>(b));
    const int e = (b >> 10) & 0x1F, m = b & 0x3FF;
    const double v = e == 31 ? INFINITY : e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25);
    x.push_back(static_cast<float>(b & 0x8000u ? -v : v));
  }
  const Rounded r = round_on_device<Fp16>(x);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (r.rn[i] != patterns[i] || r.rz[i] != patterns[i] || r.back[i] != x[i] ||
        std::signbit(r.back[i]) != std::signbit(x[i]))
      ++bad;
  EXPECT_EQ(bad, 0u) << "of " << x.size() << " half values";
  EXPECT_EQ(x.size(), 65536u - 2u * 1023u);  // 1023 NaN patterns of each sign
}
