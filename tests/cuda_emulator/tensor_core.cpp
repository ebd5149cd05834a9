// The emulator's tensor-core instructions (declared in cuda_runtime.h): the
// warp's fragments are gathered into whole matrices by warp_collective, the
// product computed once for the warp, and each lane given its part of D.
#include <cmath>

#include "cuda_runtime.h"

namespace convlab_emu {
namespace {

constexpr int kLanes = 32;

// One lane's operands and results of an m16n8kK instruction.
struct MmaLane {
  const uint32_t* a;  // 4 registers
  const uint32_t* b;  // 2 registers
  const float* c;     // 4
  float d[4];
};

// Row and column of accumulator register r of lane `lane` (C and D alike).
int acc_row(int lane, int r) { return lane / 4 + 8 * (r / 2); }
int acc_col(int lane, int r) { return 2 * (lane % 4) + r % 2; }

// D = A B + C for the 16 x K A and K x 8 B gathered from the lanes, each
// product exact (tf32 and bf16 significands fit a double's many times over),
// the sum rounded once to float; each lane then gets its four elements of D.
template <int K>
void multiply(void* const* lanes, const float (&A)[16][K], const float (&B)[K][8]) {
  for (int l = 0; l < kLanes; ++l) {
    auto* lane = static_cast<MmaLane*>(lanes[l]);
    for (int r = 0; r < 4; ++r) {
      const int i = acc_row(l, r), j = acc_col(l, r);
      double s = lane->c[r];
      for (int k = 0; k < K; ++k) s += static_cast<double>(A[i][k]) * static_cast<double>(B[k][j]);
      lane->d[r] = static_cast<float>(s);
    }
  }
}

// A tf32 register as the tensor core reads it: the lower 13 bits dropped.
float tf32_operand(uint32_t bits) { return bits_float(bits & 0xffffe000U); }

void combine_tf32(void* const* lanes) {
  float A[16][8], B[8][8];
  for (int l = 0; l < kLanes; ++l) {
    const auto* lane = static_cast<const MmaLane*>(lanes[l]);
    const int g = l / 4, t = l % 4;
    A[g][t] = tf32_operand(lane->a[0]);
    A[g + 8][t] = tf32_operand(lane->a[1]);
    A[g][t + 4] = tf32_operand(lane->a[2]);
    A[g + 8][t + 4] = tf32_operand(lane->a[3]);
    B[t][g] = tf32_operand(lane->b[0]);
    B[t + 4][g] = tf32_operand(lane->b[1]);
  }
  multiply<8>(lanes, A, B);
}

// The bf16 in the lower (half 0) or upper (half 1) 16 bits of a register.
float bf16_half(uint32_t reg, int half) { return bits_float(half ? reg & 0xffff0000U : reg << 16); }

void combine_bf16(void* const* lanes) {
  float A[16][16], B[16][8];
  for (int l = 0; l < kLanes; ++l) {
    const auto* lane = static_cast<const MmaLane*>(lanes[l]);
    const int g = l / 4, t = l % 4;
    for (int h = 0; h < 2; ++h) {
      A[g][2 * t + h] = bf16_half(lane->a[0], h);
      A[g + 8][2 * t + h] = bf16_half(lane->a[1], h);
      A[g][2 * t + 8 + h] = bf16_half(lane->a[2], h);
      A[g + 8][2 * t + 8 + h] = bf16_half(lane->a[3], h);
      B[2 * t + h][g] = bf16_half(lane->b[0], h);
      B[2 * t + 8 + h][g] = bf16_half(lane->b[1], h);
    }
  }
  multiply<16>(lanes, A, B);
}

void mma(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2], const float (&c)[4],
         void (*combine)(void* const*)) {
  MmaLane lane{a, b, c, {}};
  warp_collective(&lane, combine);
  for (int r = 0; r < 4; ++r) d[r] = lane.d[r];
}

}  // namespace

void mma_m16n8k8_tf32(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2], const float (&c)[4]) {
  mma(d, a, b, c, combine_tf32);
}

void mma_m16n8k16_bf16(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2], const float (&c)[4]) {
  mma(d, a, b, c, combine_bf16);
}

uint32_t cvt_rna_tf32(float x) {
  const uint32_t u = float_bits(x);
  if (!std::isfinite(x)) return std::isnan(x) ? 0x7fffffffU : u;  // a NaN stays a NaN, infinities kept
  // Add half of the dropped part's unit: ties go away from zero, as the
  // magnitude's bits are rounded (a carry into the exponent is exact
  // rounding up; past the largest float it gives infinity).
  return (u + 0x1000U) & 0xffffe000U;
}

}  // namespace convlab_emu
