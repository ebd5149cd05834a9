// The emulator's half precision (the toolkit's cuda_fp16.h, the part
// mixed-precision kernels use): the storage types __half and __half2 and the
// conversions, with IEEE binary16 rounding as the hardware's cvt.rn.f16.f32:
//   float -> half rounds to nearest, ties to even, subnormals included;
//   __float2half_rz truncates toward zero; a magnitude of 65520 or more
//   rounds to infinity (truncation gives 65504); a NaN becomes 0x7FFF
//   (sign dropped); half -> float is exact.
// Arithmetic on half values is not emulated: kernels convert to float.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "cuda_runtime.h"

namespace convlab_emu {

// float -> binary16 bits; `even` rounds to nearest even, else toward zero.
inline unsigned short half_bits(float f, bool even) {
  const uint32_t u = float_bits(f);
  const auto sign = static_cast<unsigned short>((u >> 16) & 0x8000U);
  const uint32_t a = u & 0x7fffffffU;
  if (a > 0x7f800000U) return 0x7fff;                                                // NaN
  if (a >= 0x47800000U) return sign | (a == 0x7f800000U || even ? 0x7c00 : 0x7bff);  // >= 65536 (or inf)
  if (a >= 0x38800000U) {  // a normal half: rebias the exponent, keep 10 fraction bits
    uint32_t h = (a - 0x38000000U) >> 13;
    const uint32_t rest = a & 0x1fffU;
    if (even && (rest > 0x1000U || (rest == 0x1000U && (h & 1U)))) ++h;  // a carry may reach infinity
    return static_cast<unsigned short>(sign | h);
  }
  // Zero or subnormal: multiples of 2^-24; the scaling by 2^24 is exact.
  const float scaled = bits_float(a) * 16777216.0f;
  const float m = even ? std::nearbyint(scaled) : std::trunc(scaled);  // the default mode: to nearest even
  return static_cast<unsigned short>(sign | static_cast<unsigned short>(m));
}

inline float half_to_float(unsigned short h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000U) << 16, e = (h >> 10) & 0x1fU, m = h & 0x3ffU;
  if (e == 0x1fU) return bits_float(sign | 0x7f800000U | (m << 13));  // infinity or NaN
  if (e != 0) return bits_float(sign | ((e + 112U) << 23) | (m << 13));
  return bits_float(sign | float_bits(std::ldexp(static_cast<float>(m), -24)));  // zero or subnormal, exact
}

}  // namespace convlab_emu

struct __half_raw {
  unsigned short x;
};

struct __half {
  unsigned short __x = 0;

  __half() = default;
  __half(const __half_raw& r) : __x(r.x) {}
  __half(float f) : __x(convlab_emu::half_bits(f, true)) {}
  __half(double d) : __half(static_cast<float>(d)) {}
  operator float() const { return convlab_emu::half_to_float(__x); }
  operator __half_raw() const { return {__x}; }
};

struct __half2 {
  __half x, y;
};

inline __half __float2half(float f) { return __half(f); }
inline __half __float2half_rn(float f) { return __half(f); }
inline __half __float2half_rz(float f) { return __half_raw{convlab_emu::half_bits(f, false)}; }
inline float __half2float(__half h) { return static_cast<float>(h); }
inline __half __ushort_as_half(unsigned short u) { return __half_raw{u}; }
inline unsigned short __half_as_ushort(__half h) { return h.__x; }
inline __half2 __floats2half2_rn(float a, float b) { return {__half(a), __half(b)}; }
inline float __low2float(__half2 h) { return h.x; }
inline float __high2float(__half2 h) { return h.y; }
