// The emulator's bfloat16 (the toolkit's cuda_bf16.h, the part mixed-precision
// kernels use): the storage types __nv_bfloat16 and __nv_bfloat162 and the
// conversions, with the rounding sm_80+ hardware does (cvt.rn.bf16.f32):
//   float -> bf16 rounds to nearest, ties to even (__float2bfloat16,
//   __float2bfloat16_rn, the constructor); __float2bfloat16_rz truncates;
//   a NaN becomes the canonical 0x7FFF; overflow rounds to infinity as IEEE
//   rounding does; bf16 -> float is exact.
// Arithmetic on bf16 values is not emulated: kernels convert to float, compute
// (FMA with float accumulation) and round the result back.
#pragma once
#include <cstdint>
#include <cstring>

#include "cuda_runtime.h"

struct __nv_bfloat16_raw {
  unsigned short x;
};

namespace convlab_emu {

// float -> bf16 bits: the upper 16 bits, rounded to nearest even on the lower 16.
inline unsigned short bf16_rn(float f) {
  const uint32_t u = float_bits(f);
  if ((u & 0x7fffffffU) > 0x7f800000U) return 0x7fff;  // NaN
  const uint32_t lower = u & 0xffffU, upper = u >> 16;
  const bool round_up = lower > 0x8000U || (lower == 0x8000U && (upper & 1U));
  return static_cast<unsigned short>(upper + (round_up ? 1U : 0U));
}

inline unsigned short bf16_rz(float f) {
  const uint32_t u = float_bits(f);
  if ((u & 0x7fffffffU) > 0x7f800000U) return 0x7fff;
  return static_cast<unsigned short>(u >> 16);
}

}  // namespace convlab_emu

struct __nv_bfloat16 {
  unsigned short __x = 0;

  __nv_bfloat16() = default;
  __nv_bfloat16(const __nv_bfloat16_raw& r) : __x(r.x) {}
  __nv_bfloat16(float f) : __x(convlab_emu::bf16_rn(f)) {}
  __nv_bfloat16(double d) : __nv_bfloat16(static_cast<float>(d)) {}
  operator float() const { return convlab_emu::bits_float(static_cast<uint32_t>(__x) << 16); }
  operator __nv_bfloat16_raw() const { return {__x}; }
};

struct __nv_bfloat162 {
  __nv_bfloat16 x, y;
};

inline __nv_bfloat16 __float2bfloat16(float f) { return __nv_bfloat16(f); }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16(f); }
inline __nv_bfloat16 __float2bfloat16_rz(float f) { return __nv_bfloat16_raw{convlab_emu::bf16_rz(f)}; }
inline float __bfloat162float(__nv_bfloat16 h) { return static_cast<float>(h); }
inline __nv_bfloat16 __ushort_as_bfloat16(unsigned short u) { return __nv_bfloat16_raw{u}; }
inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 h) { return h.__x; }
inline __nv_bfloat162 __floats2bfloat162_rn(float a, float b) { return {__nv_bfloat16(a), __nv_bfloat16(b)}; }
inline float __low2float(__nv_bfloat162 h) { return h.x; }
inline float __high2float(__nv_bfloat162 h) { return h.y; }
