// Accumulators and their warp and block reductions, templated on the element
// type (float, double) and on the accumulator: one reduction routine serves a
// pair of sums and Welford statistics alike.
//
// An accumulator is a trivially constructible struct with
//   static Acc identity();              the empty accumulator
//   void merge(const Acc& other);       combine another partial result
//   Acc shfl_xor(int lane_mask) const;  the accumulator of lane (this lane ^ lane_mask)
//   Acc shfl_from(int lane) const;      the accumulator of the given lane
// SumPair<T> and Welford<T> below are the ones the norms use.
#pragma once
#include <cuda_runtime.h>

namespace convlab::kern {

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kWarpSize = 32;

// Two running sums in one pass (e.g. sum dout and sum dout * xhat).
template <class T>
struct SumPair {
  T a, b;
  static __device__ __forceinline__ SumPair identity() { return {T(0), T(0)}; }
  __device__ __forceinline__ void add(T x, T y) {
    a += x;
    b += y;
  }
  __device__ __forceinline__ void merge(const SumPair& o) {
    a += o.a;
    b += o.b;
  }
  __device__ __forceinline__ SumPair shfl_xor(int m) const {
    return {__shfl_xor_sync(kFullMask, a, m), __shfl_xor_sync(kFullMask, b, m)};
  }
  __device__ __forceinline__ SumPair shfl_from(int l) const {
    return {__shfl_sync(kFullMask, a, l), __shfl_sync(kFullMask, b, l)};
  }
};

// Welford's running count, mean and sum of squared deviations (M2): one pass
// over the data, numerically stable, mergeable (Chan et al.).
template <class T>
struct Welford {
  T n, mean, m2;
  static __device__ __forceinline__ Welford identity() { return {T(0), T(0), T(0)}; }
  __device__ __forceinline__ void push(T x) {
    n += T(1);
    const T d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  __device__ __forceinline__ void merge(const Welford& o) {
    if (o.n == T(0)) return;
    if (n == T(0)) {
      *this = o;
      return;
    }
    const T tot = n + o.n;
    const T d = o.mean - mean;
    const T w = o.n / tot;
    mean += d * w;
    m2 += o.m2 + d * d * n * w;
    n = tot;
  }
  __device__ __forceinline__ Welford shfl_xor(int m) const {
    return {__shfl_xor_sync(kFullMask, n, m), __shfl_xor_sync(kFullMask, mean, m), __shfl_xor_sync(kFullMask, m2, m)};
  }
  __device__ __forceinline__ Welford shfl_from(int l) const {
    return {__shfl_sync(kFullMask, n, l), __shfl_sync(kFullMask, mean, l), __shfl_sync(kFullMask, m2, l)};
  }
  // Biased variance (divides by the count), as cs231n's np.var.
  __device__ __forceinline__ T var() const { return n > T(0) ? m2 / n : T(0); }
};

// Butterfly reduction, then lane 0's total to every lane (a merge need not be
// symmetric in rounding, e.g. Welford's, so the lanes' own totals may differ
// in the last bit; the broadcast makes the whole warp use the same one).
template <class Acc>
__device__ __forceinline__ Acc warp_reduce(Acc v) {
#pragma unroll
  for (int m = kWarpSize / 2; m > 0; m >>= 1) v.merge(v.shfl_xor(m));
  return v.shfl_from(0);
}

// Whole-block reduction (1-D block, blockDim.x a multiple of 32, at most
// 1024): warp butterflies, one partial per warp in shared memory, then the
// first warp reduces those. Every thread returns the block's total. All
// threads of the block must call it (it contains barriers).
template <class Acc>
__device__ Acc block_reduce(Acc v) {
  __shared__ Acc partial[kWarpSize];
  const int lane = threadIdx.x % kWarpSize;
  const int warp = threadIdx.x / kWarpSize;
  const int nwarps = (blockDim.x + kWarpSize - 1) / kWarpSize;
  v = warp_reduce(v);
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    Acc w = lane < nwarps ? partial[lane] : Acc::identity();
    w = warp_reduce(w);
    if (lane == 0) partial[0] = w;
  }
  __syncthreads();
  const Acc total = partial[0];
  __syncthreads();  // partial[] may be reused by the next call
  return total;
}

}  // namespace convlab::kern
