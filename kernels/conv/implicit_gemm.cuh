// The tile engine of conv's implicit-GEMM variants (conv_implicit_gemm*.cu):
// C (M x N) = A (M x K) B (K x N), where A and B are never stored. A Problem
// says where element (m, k) of A and (k, n) of B live in memory (an image
// pixel behind a filter tap, a weight) or that it is a zero (padding), and
// what to do with C (m, n); a Math policy says how a block multiplies its
// staged tiles: FFMA in float or double, or tensor-core mma.sync on TF32 or
// BF16 operands with float accumulators.
//
// Parallel decomposition: a block of 128 threads (4 warps) owns a 64 x 64
// tile of C and walks K in steps of 16, over blockIdx.z's share of the K
// tiles (split K: each z writes its own partial result, summed afterwards).
// Memory: each step's A (16 x 64) and B (64 x 16) tiles are gathered from
// global memory by cp.async, one element per copy (a missing element is a
// zero fill, no read), into one of two shared-memory stages: the copy of
// step s + 1 is in flight while step s is multiplied. The loads are ordered
// along the direction in which the Problem's addresses are consecutive
// (kAContiguousM), so that a warp's copies coalesce. Shared rows are padded
// (A by 8, B by 4 elements) so that the fragment reads of a warp hit 32
// different banks.
#pragma once
#include "kernels/runtime/launch.cuh"
#include "kernels/runtime/mma.cuh"

namespace convlab::cuda::igemm {

constexpr int kBM = 64, kBN = 64, kBK = 16, kThreads = 128, kStages = 2;
constexpr int kLdA = kBM + 8;                        // shared A: [stage][k][m], k rows of kLdA
constexpr int kLdB = kBK + 4;                        // shared B: [stage][n][k], n rows of kLdB
constexpr int kAccPerThread = kBM * kBN / kThreads;  // 32

template <class T>
constexpr std::size_t shared_bytes() {
  return static_cast<std::size_t>(kStages) * (kBK * kLdA + kBN * kLdB) * sizeof(T);
}

// FFMA: thread (tm = tid % 16, tn = tid / 16) owns rows tm + 16 i (i < 4) and
// columns tn + 8 j (j < 8); a warp reads 16 consecutive A entries and 2 B
// entries (broadcasts) per k.
template <class T>
struct Ffma {
  using Acc = T;
  static constexpr MathPrecision kPrecision = MathPrecision::full;
  __device__ static void coord(int tid, int r, int& m, int& n) {
    m = tid % 16 + 16 * (r / 8);
    n = tid / 16 + 8 * (r % 8);
  }
  __device__ static void multiply(Acc (&acc)[kAccPerThread], const T* sA, const T* sB, int tid) {
    const int tm = tid % 16, tn = tid / 16;
#pragma unroll 4
    for (int k = 0; k < kBK; ++k) {
      T a[4], b[8];
#pragma unroll
      for (int i = 0; i < 4; ++i) a[i] = sA[k * kLdA + tm + 16 * i];
#pragma unroll
      for (int j = 0; j < 8; ++j) b[j] = sB[(tn + 8 * j) * kLdB + k];
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i * 8 + j] += a[i] * b[j];
    }
  }
};

// Tensor cores: warp w owns the 32 x 32 sub-tile at rows 32 (w % 2), columns
// 32 (w / 2): 2 x 4 mma tiles of 16 x 8, accumulator r of mma tile
// (i, j) = (r / 16, (r / 4) % 4) in register r % 4 of the PTX C layout. Op
// reads one mma's A fragment from a column of shared A (col: the lane's row
// g of the tile, at its first k) and B fragment from a row of shared B,
// rounding the staged floats to its operand type, and multiplies.
template <class Op>
struct MmaMath {
  using Acc = float;
  static constexpr MathPrecision kPrecision = Op::kPrecision;
  __device__ static void coord(int tid, int r, int& m, int& n) {
    const int warp = tid / 32, lane = tid % 32, c = r % 4;
    m = (warp % 2) * 32 + (r / 16) * 16 + lane / 4 + 8 * (c / 2);
    n = (warp / 2) * 32 + ((r / 4) % 4) * 8 + 2 * (lane % 4) + c % 2;
  }
  __device__ static void multiply(float (&acc)[kAccPerThread], const float* sA, const float* sB, int tid) {
    const int warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
    const int wm = (warp % 2) * 32, wn = (warp / 2) * 32;
#pragma unroll
    for (int ks = 0; ks < kBK; ks += Op::kK) {
      uint32_t a[2][4], b[4][2];
#pragma unroll
      for (int i = 0; i < 2; ++i) Op::fragment_a(a[i], sA + ks * kLdA + wm + 16 * i + g, t);
#pragma unroll
      for (int j = 0; j < 4; ++j) Op::fragment_b(b[j], sB + (wn + 8 * j + g) * kLdB + ks, t);
#pragma unroll
      for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) Op::mma(*reinterpret_cast<float(*)[4]>(&acc[(i * 4 + j) * 4]), a[i], b[j]);
    }
  }
};

// TF32, m16n8k8: the staged floats rounded with cvt.rna as they are read.
struct Tf32Op {
  static constexpr int kK = 8;
  static constexpr MathPrecision kPrecision = MathPrecision::tf32;
  __device__ static void fragment_a(uint32_t (&a)[4], const float* col, int t) {
    a[0] = tf32_bits(col[t * kLdA]);
    a[1] = tf32_bits(col[t * kLdA + 8]);
    a[2] = tf32_bits(col[(t + 4) * kLdA]);
    a[3] = tf32_bits(col[(t + 4) * kLdA + 8]);
  }
  __device__ static void fragment_b(uint32_t (&b)[2], const float* row, int t) {
    b[0] = tf32_bits(row[t]);
    b[1] = tf32_bits(row[t + 4]);
  }
  __device__ static void mma(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
    mma_tf32_m16n8k8(d, a, b);
  }
};

// BF16, m16n8k16: the staged floats rounded to bf16 (nearest even), two
// consecutive k to a register.
struct Bf16Op {
  static constexpr int kK = 16;
  static constexpr MathPrecision kPrecision = MathPrecision::bf16;
  __device__ static void fragment_a(uint32_t (&a)[4], const float* col, int t) {
    auto pair = [&](int k, int dm) { return bf16x2_bits(col[k * kLdA + dm], col[(k + 1) * kLdA + dm]); };
    a[0] = pair(2 * t, 0);
    a[1] = pair(2 * t, 8);
    a[2] = pair(2 * t + 8, 0);
    a[3] = pair(2 * t + 8, 8);
  }
  __device__ static void fragment_b(uint32_t (&b)[2], const float* row, int t) {
    b[0] = bf16x2_bits(row[2 * t], row[2 * t + 1]);
    b[1] = bf16x2_bits(row[2 * t + 8], row[2 * t + 9]);
  }
  __device__ static void mma(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
    mma_bf16_m16n8k16(d, a, b);
  }
};

using Tf32 = MmaMath<Tf32Op>;
using Bf16 = MmaMath<Bf16Op>;

// Problem interface (see conv_implicit_gemm.cuh):
//   using T;  int M, N, K;  static constexpr bool kAContiguousM;
//   const T* a_at(int m, int k) const   address of A (m, k), or null for a zero
//   const T* b_at(int k, int n) const   address of B (k, n), or null for a zero
//   const T* any() const                an aligned address to name in a zero fill
//   void store(int m, int n, Acc v, int split) const
template <class Math, class Problem>
__global__ void __launch_bounds__(kThreads) implicit_gemm_kernel(Problem p) {
  using T = typename Problem::T;
  using Acc = typename Math::Acc;
  extern __shared__ __align__(16) unsigned char igemm_smem[];
  T* sA = reinterpret_cast<T*>(igemm_smem);  // [kStages][kBK][kLdA]
  T* sB = sA + kStages * kBK * kLdA;         // [kStages][kBN][kLdB]
  const int tid = threadIdx.x;
  const int m0 = blockIdx.x * kBM, n0 = blockIdx.y * kBN;
  const int ktiles = (p.K + kBK - 1) / kBK, per_split = (ktiles + gridDim.z - 1) / gridDim.z;
  const int kt_begin = blockIdx.z * per_split, kt_end = min(ktiles, kt_begin + per_split);

  auto stage_tiles = [&](int stage, int kt) {
    T* a_dst = sA + stage * kBK * kLdA;
    T* b_dst = sB + stage * kBN * kLdB;
#pragma unroll
    for (int i = 0; i < kBM * kBK / kThreads; ++i) {
      const int e = tid + i * kThreads;
      const int ml = Problem::kAContiguousM ? e % kBM : e / kBK, kl = Problem::kAContiguousM ? e / kBM : e % kBK;
      const T* src = p.a_at(m0 + ml, kt * kBK + kl);
      cp_async<sizeof(T)>(a_dst + kl * kLdA + ml, src ? src : p.any(), src ? sizeof(T) : 0);
    }
#pragma unroll
    for (int i = 0; i < kBN * kBK / kThreads; ++i) {
      const int e = tid + i * kThreads, kl = e % kBK, nl = e / kBK;
      const T* src = p.b_at(kt * kBK + kl, n0 + nl);
      cp_async<sizeof(T)>(b_dst + nl * kLdB + kl, src ? src : p.any(), src ? sizeof(T) : 0);
    }
    cp_async_commit();
  };

  Acc acc[kAccPerThread];
#pragma unroll
  for (int r = 0; r < kAccPerThread; ++r) acc[r] = Acc(0);
  if (kt_begin < kt_end) stage_tiles(0, kt_begin);
  for (int kt = kt_begin; kt < kt_end; ++kt) {
    const int stage = (kt - kt_begin) % kStages;
    if (kt + 1 < kt_end) {
      stage_tiles(stage ^ 1, kt + 1);  // its buffer was last read before the previous barrier
      cp_async_wait<1>();
    } else {
      cp_async_wait<0>();
    }
    __syncthreads();
    Math::multiply(acc, sA + stage * kBK * kLdA, sB + stage * kBN * kLdB, tid);
    __syncthreads();
  }
#pragma unroll
  for (int r = 0; r < kAccPerThread; ++r) {
    int ml, nl;
    Math::coord(tid, r, ml, nl);
    if (m0 + ml < p.M && n0 + nl < p.N) p.store(m0 + ml, n0 + nl, acc[r], blockIdx.z);
  }
}

// Launches the kernel over p's M x N tiles, `splits` ways along K.
template <class Math, class Problem>
void run(const char* name, const Problem& p, int splits = 1) {
  using T = typename Problem::T;
  constexpr std::size_t smem = shared_bytes<T>();
  allow_dynamic_shared(implicit_gemm_kernel<Math, Problem>, smem, name);
  const dim3 grid(static_cast<unsigned>(ceil_div(p.M, kBM)), static_cast<unsigned>(ceil_div(p.N, kBN)),
                  static_cast<unsigned>(splits));
  launch(name, implicit_gemm_kernel<Math, Problem>, grid, dim3(kThreads), smem, p);
}

}  // namespace convlab::cuda::igemm
