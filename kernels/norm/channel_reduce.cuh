// Per-channel reduction and per-element map over a tensor viewed as
// (N, C, S) (element (n, c, s) at (n*C + c)*S + s), shared by the warp
// channel norms (statistics, dgamma/dbeta) and the warp group norms
// (dgamma/dbeta). The per-element work is a functor, so one reduction serves
// Welford statistics and the fused two-sum backward alike:
//   Elem: __device__ void operator()(Acc& acc, int64_t i, int64_t n, int64_t c) const
//   Fin:  __device__ void operator()(int64_t c, const Acc& total) const
//   Map:  __device__ void operator()(int64_t i, int64_t c) const
#pragma once
#include <algorithm>

#include "kernels/runtime/accumulators.cuh"
#include "kernels/runtime/launch.cuh"
#include "kernels/runtime/workspace.h"

namespace convlab::cuda {

// Walks k = start, start + step, ... keeping q = k / d and r = k % d with no
// division per step.
struct QuotRem {
  int64_t q, r, dq, dr, d;
  __device__ QuotRem(int64_t start, int64_t step, int64_t div)
      : q(start / div), r(start % div), dq(step / div), dr(step % div), d(div) {}
  __device__ __forceinline__ void advance() {
    q += dq;
    r += dr;
    if (r >= d) {
      r -= d;
      ++q;
    }
  }
};

constexpr int kColRows = 8;  // column kernel: block (32 channels, kColRows rows)
constexpr int kSpatialBlock = 256;

// Writes the block's total: straight to Fin when the channel has one block
// (P == 1), else to the partial array part[p*C + c] for channel_finalize.
template <class Acc, class Fin>
__device__ __forceinline__ void emit_partial(const Acc& acc, int64_t c, int64_t C, int p, int P, Acc* part,
                                             const Fin& fin) {
  if (P == 1)
    fin(c, acc);
  else
    part[p * C + c] = acc;
}

// S == 1 (a (N, C) matrix, statistics per column). Block (32, kColRows):
// threadIdx.x picks one of 32 neighbouring channels, so every row access of a
// warp is one coalesced 32-element segment; threadIdx.y strides over the rows
// of this block's chunk [p*chunk, (p+1)*chunk) (blockIdx.y = p). The
// kColRows partials of a channel meet in shared memory.
template <class Acc, class Elem, class Fin>
__global__ void channel_reduce_column(int64_t N, int64_t C, int64_t chunk, Elem f, Fin fin, Acc* part) {
  __shared__ Acc tile[kColRows][kern::kWarpSize + 1];
  const int64_t c = blockIdx.x * static_cast<int64_t>(kern::kWarpSize) + threadIdx.x;
  const int p = blockIdx.y, P = gridDim.y;
  const int64_t begin = p * chunk, end = std::min<int64_t>(N, begin + chunk);
  Acc acc = Acc::identity();
  if (c < C)
    for (int64_t n = begin + threadIdx.y; n < end; n += kColRows) f(acc, n * C + c, n, c);
  tile[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y == 0 && c < C) {
    for (int y = 1; y < kColRows; ++y) acc.merge(tile[y][threadIdx.x]);
    emit_partial(acc, c, C, p, P, part, fin);
  }
}

// S > 1. Grid (C, P): block (c, p) covers the chunk [p*chunk, (p+1)*chunk)
// of channel c's flattened (n, s) range; consecutive threads read consecutive
// s within a row (coalesced runs of S), the block reduces with
// warp shuffles + shared memory.
template <class Acc, class Elem, class Fin>
__global__ void channel_reduce_spatial(int64_t N, int64_t C, int64_t S, int64_t chunk, Elem f, Fin fin, Acc* part) {
  const int64_t c = blockIdx.x;
  const int p = blockIdx.y, P = gridDim.y;
  const int64_t begin = p * chunk, end = std::min<int64_t>(N * S, begin + chunk);
  Acc acc = Acc::identity();
  QuotRem ns(begin + threadIdx.x, blockDim.x, S);
  for (int64_t k = begin + threadIdx.x; k < end; k += blockDim.x, ns.advance())
    f(acc, (ns.q * C + c) * S + ns.r, ns.q, c);
  acc = kern::block_reduce(acc);
  if (threadIdx.x == 0) emit_partial(acc, c, C, p, P, part, fin);
}

// One thread per channel merges its P partials in a fixed order
// (deterministic) and hands the total to Fin.
template <class Acc, class Fin>
__global__ void channel_finalize(int64_t C, int P, const Acc* part, Fin fin) {
  const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (c >= C) return;
  Acc acc = part[c];
  for (int p = 1; p < P; ++p) acc.merge(part[p * C + c]);
  fin(c, acc);
}

// Reduces every channel of the (N, C, S) view with f and hands each total to
// fin. Splits a channel over P blocks when there are too few channels to
// fill the device (partials in the device workspace, then
// channel_finalize); with P == 1 the reducing block calls fin itself.
template <class Acc, class Elem, class Fin>
void channel_reduce(int64_t N, int64_t C, int64_t S, const Elem& f, const Fin& fin) {
  const int64_t target_blocks = 2 * static_cast<int64_t>(cuda::sm_count());
  int64_t P, chunk;
  dim3 grid, block;
  if (S == 1) {
    const int64_t col_blocks = cuda::ceil_div(C, kern::kWarpSize);
    P = std::clamp<int64_t>(cuda::ceil_div(target_blocks, col_blocks), 1, std::max<int64_t>(1, N / (16 * kColRows)));
    chunk = cuda::ceil_div(N, P);
    P = cuda::ceil_div(N, chunk);
    grid = dim3(static_cast<unsigned>(col_blocks), static_cast<unsigned>(P));
    block = dim3(kern::kWarpSize, kColRows);
  } else {
    const int64_t M = N * S;
    P = std::clamp<int64_t>(cuda::ceil_div(target_blocks, C), 1, std::max<int64_t>(1, M / (8 * kSpatialBlock)));
    chunk = cuda::ceil_div(M, P);
    P = cuda::ceil_div(M, chunk);
    grid = dim3(static_cast<unsigned>(C), static_cast<unsigned>(P));
    block = dim3(kSpatialBlock);
  }
  CONVLAB_CHECK(P <= 65535, "channel_reduce: too many partial blocks (" << P << ")");
  // The partials live in the reusable device workspace: no allocation (and
  // no synchronising free) per call once it has grown to size.
  Acc* part = P > 1 ? cuda::workspace_as<Acc>(static_cast<std::size_t>(P * C)) : nullptr;
  if (S == 1)
    launch("channel_reduce_column", channel_reduce_column<Acc, Elem, Fin>, grid, block, 0, N, C, chunk, f, fin, part);
  else
    launch("channel_reduce_spatial", channel_reduce_spatial<Acc, Elem, Fin>, grid, block, 0, N, C, S, chunk, f, fin,
           part);
  if (P > 1) {
    constexpr int kFinBlock = 128;
    launch("channel_finalize", channel_finalize<Acc, Fin>, static_cast<unsigned>(cuda::ceil_div(C, kFinBlock)),
           kFinBlock, 0, C, static_cast<int>(P), part, fin);
  }
}

// Element-wise pass over the (N, C, S) view, seen as rows of contiguous
// elements: rows n of width C (S == 1, channel = column) or rows (n, c) of
// width S (S > 1, channel = row % C). threadIdx.x/blockIdx.x stride over the
// columns (coalesced), blockIdx.y over the rows; no division per element.
template <class Map>
__global__ void channel_map_kernel(int64_t rows, int64_t width, int64_t C, bool column_channel, Map m) {
  for (int64_t row = blockIdx.y; row < rows; row += gridDim.y) {
    const int64_t row_c = column_channel ? 0 : row % C;
    for (int64_t col = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; col < width;
         col += static_cast<int64_t>(gridDim.x) * blockDim.x)
      m(row * width + col, column_channel ? col : row_c);
  }
}

template <class Map>
void channel_map(int64_t N, int64_t C, int64_t S, const Map& m) {
  constexpr int kBlock = 256;
  const bool column = S == 1;
  const int64_t rows = column ? N : N * C, width = column ? C : S;
  const int64_t gx = std::min<int64_t>(cuda::ceil_div(width, kBlock), 1024);
  const int64_t gy = std::clamp<int64_t>(8 * cuda::sm_count() / gx, 1, std::min<int64_t>(rows, 65535));
  launch("channel_map_kernel", channel_map_kernel<Map>, dim3(static_cast<unsigned>(gx), static_cast<unsigned>(gy)),
         kBlock, 0, rows, width, C, column, m);
}

// Fin of the backward reductions: (sum dout, sum dout*xhat) -> dbeta, dgamma.
template <class T>
struct FinishParamGrads {
  T *dgamma, *dbeta;
  __device__ void operator()(int64_t c, const kern::SumPair<T>& s) const {
    dbeta[c] = s.a;
    dgamma[c] = s.b;
  }
};

}  // namespace convlab::cuda
