// conv, "tiled" variant, forward pass and the variant's entry points.
//
// Forward: a 16 x 16 block computes a 16 x 16 output tile of one image for
// 8 filters (8 register accumulators per thread). Channels are walked in
// chunks sized to the shared-memory budget; for each chunk the block stages
// the input tile with its halo ((15*stride + HH) x (15*stride + WW), zero
// padding filled in) and the 8 filters' weights in shared memory, so each
// input element is read from global memory once per block instead of once
// per tap, and the weight reads are warp-wide broadcasts.
#include <algorithm>

#include "kernels/conv/conv_common.cuh"
#include "kernels/conv/conv_tiled.h"
#include "kernels/runtime/launch.cuh"
#include "kernels/runtime/reductions.h"

namespace convlab::cuda {

constexpr int kFiltersPerBlock = 8;
constexpr int kMaxChannelsPerChunk = 16;

template <class T>
__global__ void conv_forward_tiled_kernel(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ b,
                                          ConvDims d, int cc_max, int in_h, int in_w, int64_t tiles_w, int64_t tiles,
                                          T* __restrict__ out) {
  extern __shared__ __align__(16) unsigned char conv_fwd_smem[];
  T* s_in = reinterpret_cast<T*>(conv_fwd_smem);  // [cc][in_h][in_w]
  T* s_w = s_in + cc_max * in_h * in_w;           // [kFiltersPerBlock][cc][HH][WW]
  const int64_t n = blockIdx.x / tiles, tile = blockIdx.x % tiles;
  const int64_t i0 = (tile / tiles_w) * kConvTile, j0 = (tile % tiles_w) * kConvTile;
  const int64_t f0 = static_cast<int64_t>(blockIdx.y) * kFiltersPerBlock;
  const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * kConvTile + tx, nthreads = kConvTile * kConvTile;
  const int64_t h0 = i0 * d.stride - d.pad, w0 = j0 * d.stride - d.pad;
  const int KK = static_cast<int>(d.HH * d.WW);
  T acc[kFiltersPerBlock];
#pragma unroll
  for (int fi = 0; fi < kFiltersPerBlock; ++fi) acc[fi] = T(0);

  for (int64_t c0 = 0; c0 < d.C; c0 += cc_max) {
    const int cc = static_cast<int>(min(static_cast<int64_t>(cc_max), d.C - c0));
    for (int e = tid; e < cc * in_h * in_w; e += nthreads) {  // input tile + halo, coalesced along rows
      const int ci = e / (in_h * in_w), r = (e / in_w) % in_h, q = e % in_w;
      const int64_t h = h0 + r, ww = w0 + q;
      s_in[e] = (h >= 0 && h < d.H && ww >= 0 && ww < d.W) ? x[((n * d.C + c0 + ci) * d.H + h) * d.W + ww] : T(0);
    }
    for (int e = tid; e < kFiltersPerBlock * cc * KK; e += nthreads) {  // w[f0 + fi, c0 : c0 + cc, :, :]
      const int fi = e / (cc * KK), rest = e % (cc * KK);
      const int64_t f = f0 + fi;
      s_w[e] = f < d.F ? w[(f * d.C + c0) * KK + rest] : T(0);
    }
    __syncthreads();
    for (int ci = 0; ci < cc; ++ci)
      for (int kh = 0; kh < d.HH; ++kh)
        for (int kw = 0; kw < d.WW; ++kw) {
          const T v = s_in[(ci * in_h + ty * d.stride + kh) * in_w + tx * d.stride + kw];
          const T* wk = s_w + ci * KK + kh * d.WW + kw;
#pragma unroll
          for (int fi = 0; fi < kFiltersPerBlock; ++fi) acc[fi] += v * wk[fi * cc * KK];
        }
    __syncthreads();
  }
  const int64_t i = i0 + ty, j = j0 + tx;
  if (i < d.Hout && j < d.Wout) {
#pragma unroll
    for (int fi = 0; fi < kFiltersPerBlock; ++fi) {
      const int64_t f = f0 + fi;
      if (f < d.F) out[((n * d.F + f) * d.Hout + i) * d.Wout + j] = acc[fi] + b[f];
    }
  }
}

template <class T>
void conv_forward_tiled_launch(const T* x, const T* w, const T* b, const ConvDims& d, T* out) {
  const int in_h = conv_halo_tile(d.stride, d.HH), in_w = conv_halo_tile(d.stride, d.WW);
  const std::size_t per_channel = (static_cast<std::size_t>(in_h) * in_w + kFiltersPerBlock * d.HH * d.WW) * sizeof(T);
  const int cc =
      fit_units(0, per_channel, static_cast<int>(std::min<int64_t>(d.C, kMaxChannelsPerChunk)), kDefaultSharedBytes);
  const std::size_t smem = cc * per_channel;
  allow_dynamic_shared(conv_forward_tiled_kernel<T>, smem, "conv_forward (tiled)");
  const ConvTileGrid g = conv_tile_grid("conv_forward (tiled)", d.N, d.Hout, d.Wout, d.F, kFiltersPerBlock);
  launch("conv_forward_tiled_kernel", conv_forward_tiled_kernel<T>, g.grid, dim3(kConvTile, kConvTile), smem, x, w, b,
         d, cc, in_h, in_w, g.tiles_w, g.tiles, out);
}

Forward<ConvCache> conv_forward_tiled(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& param) {
  return conv_forward_run(x, w, b, param, [](auto... a) { conv_forward_tiled_launch(a...); });
}

Grads conv_backward_tiled(const Tensor& dout, const ConvCache& cache, bool need_dx) {
  return conv_backward_run(
      dout, cache, need_dx,
      [](const auto* dout, const auto* x, const auto* w, const ConvDims& d, auto* dx, auto* dw, auto* db) {
        if (dx) conv_dx_tiled_launch(dout, w, d, dx);
        conv_dw_tiled_launch(dout, x, d, dw);
        channel_sum(dout, d.N, d.F, d.Hout * d.Wout, db);
      });
}

}  // namespace convlab::cuda
