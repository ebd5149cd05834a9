// The emulator's tensor-core instructions and asynchronous copies, through
// the wrappers convlab's kernels use (kernels/runtime/mma.cuh): mma.sync
// computes A B + C with the PTX ISA's fragment layouts and the hardware's
// operand rounding; cp.async lands only at its wait; misuse fails the launch.
#include <gtest/gtest.h>

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/runtime/mma.cuh"

using namespace convlab::cuda;

namespace {

// One warp: lane (g = lane / 4, t = lane % 4) loads its fragments of the
// row-major A (16 x 8), B (8 x 8) and C (16 x 8) as the PTX ISA lays them
// out, and stores its part of D. `round` converts with cvt.rna first.
__global__ void mma_tf32_kernel(const float* A, const float* B, const float* C, float* D, bool round) {
  const int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  auto bits = [&](float v) {
    uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return round ? tf32_bits(v) : u;
  };
  const uint32_t a[4] = {bits(A[g * 8 + t]), bits(A[(g + 8) * 8 + t]), bits(A[g * 8 + t + 4]),
                         bits(A[(g + 8) * 8 + t + 4])};
  const uint32_t b[2] = {bits(B[t * 8 + g]), bits(B[(t + 4) * 8 + g])};
  float d[4] = {C[g * 8 + 2 * t], C[g * 8 + 2 * t + 1], C[(g + 8) * 8 + 2 * t], C[(g + 8) * 8 + 2 * t + 1]};
  mma_tf32_m16n8k8(d, a, b);
  D[g * 8 + 2 * t] = d[0];
  D[g * 8 + 2 * t + 1] = d[1];
  D[(g + 8) * 8 + 2 * t] = d[2];
  D[(g + 8) * 8 + 2 * t + 1] = d[3];
}

// The same for m16n8k16 bf16: A 16 x 16, B 16 x 8, two k a register.
__global__ void mma_bf16_kernel(const float* A, const float* B, const float* C, float* D) {
  const int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  auto a2 = [&](int row, int k) { return bf16x2_bits(A[row * 16 + k], A[row * 16 + k + 1]); };
  auto b2 = [&](int k) { return bf16x2_bits(B[k * 8 + g], B[(k + 1) * 8 + g]); };
  const uint32_t a[4] = {a2(g, 2 * t), a2(g + 8, 2 * t), a2(g, 2 * t + 8), a2(g + 8, 2 * t + 8)};
  const uint32_t b[2] = {b2(2 * t), b2(2 * t + 8)};
  float d[4] = {C[g * 8 + 2 * t], C[g * 8 + 2 * t + 1], C[(g + 8) * 8 + 2 * t], C[(g + 8) * 8 + 2 * t + 1]};
  mma_bf16_m16n8k16(d, a, b);
  D[g * 8 + 2 * t] = d[0];
  D[g * 8 + 2 * t + 1] = d[1];
  D[(g + 8) * 8 + 2 * t] = d[2];
  D[(g + 8) * 8 + 2 * t + 1] = d[3];
}

// Threads past `live` return before the mma the others reach.
__global__ void mma_partial_warp_kernel(int live, float* out) {
  if (static_cast<int>(threadIdx.x) >= live) return;
  const uint32_t a[4] = {0, 0, 0, 0}, b[2] = {0, 0};
  float d[4] = {0, 0, 0, 0};
  mma_tf32_m16n8k8(d, a, b);
  out[threadIdx.x] = d[0];
}

__global__ void tf32_round_kernel(const float* in, float* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const uint32_t u = tf32_bits(in[i]);
  std::memcpy(&out[i], &u, sizeof u);
}

// Each thread copies x[2t], x[2t+1] (4 bytes each) into shared memory in two
// groups and records what it sees: before any wait (stage 0), after waiting
// for all but the newest group (stage 1), after waiting for all (stage 2).
// The second element's copy reads nothing when `fill_zero` (zero fill).
__global__ void cp_async_kernel(const float* x, float* seen, bool fill_zero) {
  extern __shared__ __align__(16) unsigned char smem[];
  float* s = reinterpret_cast<float*>(smem);
  const int t = threadIdx.x, n = blockDim.x;
  cp_async<4>(&s[2 * t], &x[2 * t], 4);
  cp_async_commit();
  cp_async<4>(&s[2 * t + 1], &x[2 * t + 1], fill_zero ? 0 : 4);
  cp_async_commit();
  seen[2 * t] = s[2 * t];
  seen[2 * t + 1] = s[2 * t + 1];
  cp_async_wait<1>();
  seen[2 * n + 2 * t] = s[2 * t];
  seen[2 * n + 2 * t + 1] = s[2 * t + 1];
  cp_async_wait<0>();
  seen[4 * n + 2 * t] = s[2 * t];
  seen[4 * n + 2 * t + 1] = s[2 * t + 1];
}

__global__ void cp_async_misaligned_kernel(const float* x) {
  extern __shared__ __align__(16) unsigned char smem[];
  cp_async<16>(smem + 4, x, 16);
}

template <class T>
T* to_device(const std::vector<T>& v) {
  T* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, v.size() * sizeof(T)), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  return p;
}

template <class T>
std::vector<T> to_host(const T* p, std::size_t n) {
  std::vector<T> v(n);
  EXPECT_EQ(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
  return v;
}

// D (16 x 8) after launch(dA, dB, dC, dD) on device copies of A, B and C.
template <class Launch>
std::vector<float> mma_on_device(const std::vector<float>& A, const std::vector<float>& B, const std::vector<float>& C,
                                 Launch&& launch) {
  float *dA = to_device(A), *dB = to_device(B), *dC = to_device(C), *dD = to_device(std::vector<float>(128));
  launch(dA, dB, dC, dD);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  const auto D = to_host(dD, 128);
  for (float* p : {dA, dB, dC, dD}) cudaFree(p);
  return D;
}

// Small integers times a power of two: exact in tf32 and bf16, and every
// product and sum exact in float, so D must equal the host's A B + C exactly.
std::vector<float> exact_values(std::size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (auto& e : v) {
    seed = seed * 1664525u + 1013904223u;
    e = std::ldexp(static_cast<float>(static_cast<int>(seed >> 27) - 16), -2);
  }
  return v;
}

std::vector<float> host_mma(const std::vector<float>& A, const std::vector<float>& B, const std::vector<float>& C,
                            int K) {
  std::vector<float> D(16 * 8);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 8; ++j) {
      double s = C[i * 8 + j];
      for (int k = 0; k < K; ++k) s += static_cast<double>(A[i * K + k]) * B[k * 8 + j];
      D[i * 8 + j] = static_cast<float>(s);
    }
  return D;
}

}  // namespace

TEST(CudaMma, Tf32FragmentsMultiplyAsTheMatrices) {
  const auto A = exact_values(16 * 8, 1), B = exact_values(8 * 8, 2), C = exact_values(16 * 8, 3);
  const auto D = mma_on_device(
      A, B, C, [](float* a, float* b, float* c, float* d) { mma_tf32_kernel<<<1, 32>>>(a, b, c, d, true); });
  const auto want = host_mma(A, B, C, 8);
  for (int i = 0; i < 128; ++i) EXPECT_EQ(D[i], want[i]) << "row " << i / 8 << " col " << i % 8;
}

TEST(CudaMma, Tf32OperandsAreTruncatedUnlessRounded) {
  // A = I (16 x 8 identity on the top 8 rows), B all 1 + 2^-11 + 2^-20: a tf32
  // operand keeps 10 fraction bits, so unrounded B reads as 1 and rounded
  // (ties away from zero, above the tie) as 1 + 2^-10.
  std::vector<float> A(128, 0.0f), B(64, 1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), C(128, 0.0f);
  for (int i = 0; i < 8; ++i) A[i * 8 + i] = 1.0f;
  const auto truncated = mma_on_device(
      A, B, C, [](float* a, float* b, float* c, float* d) { mma_tf32_kernel<<<1, 32>>>(a, b, c, d, false); });
  const auto rounded = mma_on_device(
      A, B, C, [](float* a, float* b, float* c, float* d) { mma_tf32_kernel<<<1, 32>>>(a, b, c, d, true); });
  for (int j = 0; j < 8; ++j) {
    EXPECT_EQ(truncated[j], 1.0f);
    EXPECT_EQ(rounded[j], 1.0f + std::ldexp(1.0f, -10));
    EXPECT_EQ(rounded[8 * 8 + j], 0.0f);  // rows 8..15 of A are zero
  }
}

TEST(CudaMma, Tf32RoundsToNearestTiesAwayFromZero) {
  const float u = std::ldexp(1.0f, -10);                                // tf32's spacing at 1
  const std::vector<float> in = {1.0f + u / 2,                          // a tie: away from zero
                                 -(1.0f + u / 2),                       // the same by magnitude
                                 1.0f + u / 2 - std::ldexp(1.0f, -23),  // below the tie: down
                                 1.0f + u + u / 2,                      // a tie above an odd neighbour: still up
                                 INFINITY};
  const std::vector<float> want = {1.0f + u, -(1.0f + u), 1.0f, 1.0f + 2 * u, INFINITY};
  float *din = to_device(in), *dout = to_device(std::vector<float>(in.size()));
  tf32_round_kernel<<<1, 32>>>(din, dout, static_cast<int>(in.size()));
  const auto out = to_host(dout, in.size());
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], want[i]) << "input " << in[i];
  cudaFree(din);
  cudaFree(dout);
}

TEST(CudaMma, Bf16FragmentsMultiplyAsTheMatrices) {
  const auto A = exact_values(16 * 16, 4), B = exact_values(16 * 8, 5), C = exact_values(16 * 8, 6);
  const auto D =
      mma_on_device(A, B, C, [](float* a, float* b, float* c, float* d) { mma_bf16_kernel<<<1, 32>>>(a, b, c, d); });
  const auto want = host_mma(A, B, C, 16);
  for (int i = 0; i < 128; ++i) EXPECT_EQ(D[i], want[i]) << "row " << i / 8 << " col " << i % 8;
}

TEST(CudaMma, Bf16OperandsRoundToNearestEven) {
  // B's entries 1 + 2^-8 + 2^-12 round to 1 + 2^-7 in bf16 (above the tie).
  std::vector<float> A(256, 0.0f), B(128, 1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -12)), C(128, 0.5f);
  A[0] = 1.0f;  // D[0][j] = B[0][j] + 0.5
  const auto D =
      mma_on_device(A, B, C, [](float* a, float* b, float* c, float* d) { mma_bf16_kernel<<<1, 32>>>(a, b, c, d); });
  for (int j = 0; j < 8; ++j) EXPECT_EQ(D[j], 1.5f + std::ldexp(1.0f, -7));
}

TEST(CudaMma, EveryWarpOfABlockMultipliesItsOwnFragments) {
  // Two blocks of four warps, all on the same matrices: every warp's result
  // is the product (the collective gathers one warp's lanes, not a block's).
  const auto A = exact_values(16 * 8, 7), B = exact_values(8 * 8, 8), C = exact_values(16 * 8, 9);
  const auto D = mma_on_device(
      A, B, C, [](float* a, float* b, float* c, float* d) { mma_tf32_kernel<<<2, 128>>>(a, b, c, d, true); });
  const auto want = host_mma(A, B, C, 8);
  for (int i = 0; i < 128; ++i) EXPECT_EQ(D[i], want[i]);
}

TEST(CudaMma, APartialWarpFailsTheLaunch) {
  float* out = to_device(std::vector<float>(32));
  try {
    mma_partial_warp_kernel<<<1, 32>>>(20, out);
    FAIL() << "a warp of 20 live lanes at mma.sync ran";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("has exited"), std::string::npos) << e.what();
  }
  try {
    mma_partial_warp_kernel<<<1, 16>>>(16, out);
    FAIL() << "a block of 16 threads ran mma.sync";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("needs a full warp"), std::string::npos) << e.what();
  }
  cudaFree(out);
}

TEST(CudaAsyncCopy, LandsAtItsWaitAndFillsZeros) {
  const int n = 64;
  std::vector<float> x(2 * n);
  for (int i = 0; i < 2 * n; ++i) x[i] = static_cast<float>(i + 1);
  float *dx = to_device(x), *dseen = to_device(std::vector<float>(6 * n));
  for (bool fill_zero : {false, true}) {
    cp_async_kernel<<<1, n, 2 * n * sizeof(float)>>>(dx, dseen, fill_zero);
    ASSERT_EQ(cudaGetLastError(), cudaSuccess);
    const auto seen = to_host(dseen, 6 * n);
    for (int i = 0; i < 2 * n; ++i) {
      SCOPED_TRACE(::testing::Message() << "element " << i << (fill_zero ? ", zero fill" : ""));
      const float landed = fill_zero && i % 2 ? 0.0f : x[i];
      EXPECT_TRUE(std::isnan(seen[i]));  // before any wait: the fresh block's poison
      if (i % 2 == 0)
        EXPECT_EQ(seen[2 * n + i], landed);  // the first group has landed
      else
        EXPECT_TRUE(std::isnan(seen[2 * n + i]));  // the newest group has not
      EXPECT_EQ(seen[4 * n + i], landed);
    }
  }
  cudaFree(dx);
  cudaFree(dseen);
}

TEST(CudaAsyncCopy, AMisalignedCopyFailsTheLaunch) {
  float* dx = to_device(std::vector<float>(8, 1.0f));
  try {
    cp_async_misaligned_kernel<<<1, 32, 64>>>(dx);
    FAIL() << "a 16-byte cp.async to an address 4 past a 16-byte boundary ran";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not aligned"), std::string::npos) << e.what();
  }
  cudaFree(dx);
}
