// conv, "tiled" variant, backward kernels (dx and dw; db is a per-channel
// block reduction shared with the gemm variant).
#include <algorithm>

#include "kernels/conv/conv_tiled.h"
#include "kernels/runtime/launch.cuh"

namespace convlab::cuda {

constexpr int kChannelsPerBlock = 8;
constexpr int kMaxFiltersPerChunk = 16;

// dx: a 16 x 16 block owns a 16 x 16 tile of input pixels of one image for
// 8 input channels (register accumulators). Filters are walked in chunks;
// per chunk the block stages the dout region that any of its pixels reads
// (dh x dw rows/cols, zero outside dout) and the weights w[f, c0:c0+8] in
// shared memory. A pixel h receives from output row i when
// i*stride - pad + kh = h, so each thread visits only the taps whose
// (h + pad - kh) is a multiple of the stride: a gather, no atomics.
template <class T>
__global__ void conv_dx_tiled_kernel(const T* __restrict__ dout, const T* __restrict__ w, ConvDims d, int fc_max,
                                     int dh, int dw, int64_t tiles_w, int64_t tiles, T* __restrict__ dx) {
  extern __shared__ __align__(16) unsigned char conv_dx_smem[];
  T* s_d = reinterpret_cast<T*>(conv_dx_smem);  // [fc][dh][dw]
  T* s_w = s_d + fc_max * dh * dw;              // [fc][kChannelsPerBlock][HH][WW]
  const int64_t n = blockIdx.x / tiles, tile = blockIdx.x % tiles;
  const int64_t h0 = (tile / tiles_w) * kConvTile, w0 = (tile % tiles_w) * kConvTile;
  const int64_t c0 = static_cast<int64_t>(blockIdx.y) * kChannelsPerBlock;
  const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * kConvTile + tx, nthreads = kConvTile * kConvTile;
  const int s = d.stride;
  // First output row/col any pixel of the tile reads: ceil((h0 + pad - HH + 1) / stride).
  const int64_t io = floor_div(h0 + d.pad - d.HH + s, s), jo = floor_div(w0 + d.pad - d.WW + s, s);
  const int KK = static_cast<int>(d.HH * d.WW);
  const int64_t h = h0 + ty, x_w = w0 + tx;
  T acc[kChannelsPerBlock];
#pragma unroll
  for (int ci = 0; ci < kChannelsPerBlock; ++ci) acc[ci] = T(0);

  for (int64_t f0 = 0; f0 < d.F; f0 += fc_max) {
    const int fc = static_cast<int>(min(static_cast<int64_t>(fc_max), d.F - f0));
    for (int e = tid; e < fc * dh * dw; e += nthreads) {
      const int fi = e / (dh * dw), r = (e / dw) % dh, q = e % dw;
      const int64_t i = io + r, j = jo + q;
      s_d[e] =
          (i >= 0 && i < d.Hout && j >= 0 && j < d.Wout) ? dout[((n * d.F + f0 + fi) * d.Hout + i) * d.Wout + j] : T(0);
    }
    for (int e = tid; e < fc * kChannelsPerBlock * KK; e += nthreads) {
      const int fi = e / (kChannelsPerBlock * KK), ci = (e / KK) % kChannelsPerBlock, kk = e % KK;
      const int64_t c = c0 + ci;
      s_w[e] = c < d.C ? w[((f0 + fi) * d.C + c) * KK + kk] : T(0);
    }
    __syncthreads();
    for (int fi = 0; fi < fc; ++fi)
      for (int kh = 0; kh < d.HH; ++kh) {
        const int64_t ti = h + d.pad - kh;
        if (ti < 0 || ti % s != 0) continue;
        const int r = static_cast<int>(ti / s - io);
        for (int kw = 0; kw < d.WW; ++kw) {
          const int64_t tj = x_w + d.pad - kw;
          if (tj < 0 || tj % s != 0) continue;
          const T g = s_d[(fi * dh + r) * dw + (tj / s - jo)];
          const T* wk = s_w + fi * kChannelsPerBlock * KK + kh * d.WW + kw;
#pragma unroll
          for (int ci = 0; ci < kChannelsPerBlock; ++ci) acc[ci] += g * wk[ci * KK];
        }
      }
    __syncthreads();
  }
  if (h < d.H && x_w < d.W) {
#pragma unroll
    for (int ci = 0; ci < kChannelsPerBlock; ++ci) {
      const int64_t c = c0 + ci;
      if (c < d.C) dx[((n * d.C + c) * d.H + h) * d.W + x_w] = acc[ci];
    }
  }
}

// dw: one 256-thread block per (filter f, channel c, chunk of up to 256
// taps). It walks every image and 16 x 16 output tile, staging dout[n, f]'s
// tile and the matching input tile + halo of x[n, c] in shared memory; the
// threads split as (tap, group of tile pixels) so all 256 work even for 3x3
// filters, keep partial sums in registers, and reduce them in shared memory
// at the end. Reads of both tiles are coalesced along rows.
template <class T>
__global__ void conv_dw_tiled_kernel(const T* __restrict__ dout, const T* __restrict__ x, ConvDims d, int in_h,
                                     int in_w, int64_t tiles_w, int64_t tiles, T* __restrict__ dw) {
  extern __shared__ __align__(16) unsigned char conv_dw_smem[];
  constexpr int kPix = kConvTile * kConvTile, nthreads = kPix;
  T* s_d = reinterpret_cast<T*>(conv_dw_smem);  // [16][16] dout tile; later the partial sums
  T* s_x = s_d + kPix;                          // [in_h][in_w]
  const int64_t f = blockIdx.x / d.C, c = blockIdx.x % d.C;
  const int KK = static_cast<int>(d.HH * d.WW);
  const int k0 = blockIdx.y * nthreads, kc = min(nthreads, KK - k0);
  const int groups = nthreads / kc;
  const int tid = threadIdx.x;
  const bool active = tid < groups * kc;
  const int k = k0 + tid % kc, g = tid / kc;
  const int kh = k / static_cast<int>(d.WW), kw = k % static_cast<int>(d.WW);
  T acc = T(0);
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t tile = 0; tile < tiles; ++tile) {
      const int64_t i0 = (tile / tiles_w) * kConvTile, j0 = (tile % tiles_w) * kConvTile;
      const int64_t h0 = i0 * d.stride - d.pad, w0 = j0 * d.stride - d.pad;
      {
        const int64_t i = i0 + tid / kConvTile, j = j0 + tid % kConvTile;
        s_d[tid] = (i < d.Hout && j < d.Wout) ? dout[((n * d.F + f) * d.Hout + i) * d.Wout + j] : T(0);
      }
      for (int e = tid; e < in_h * in_w; e += nthreads) {
        const int64_t hh = h0 + e / in_w, ww = w0 + e % in_w;
        s_x[e] = (hh >= 0 && hh < d.H && ww >= 0 && ww < d.W) ? x[((n * d.C + c) * d.H + hh) * d.W + ww] : T(0);
      }
      __syncthreads();
      if (active)
        for (int p = g; p < kPix; p += groups) {
          const int pi = p / kConvTile, pj = p % kConvTile;
          acc += s_d[p] * s_x[(pi * d.stride + kh) * in_w + pj * d.stride + kw];
        }
      __syncthreads();
    }
  s_d[tid] = active ? acc : T(0);
  __syncthreads();
  if (tid < kc) {
    T sum = T(0);
    for (int gi = 0; gi < groups; ++gi) sum += s_d[gi * kc + tid];
    dw[(f * d.C + c) * KK + k0 + tid] = sum;
  }
}

template <class T>
void conv_dx_tiled_launch(const T* dout, const T* w, const ConvDims& d, T* dx) {
  const int s = d.stride;
  const int dh = (kConvTile + static_cast<int>(d.HH) - 1 + s - 1) / s;
  const int dw = (kConvTile + static_cast<int>(d.WW) - 1 + s - 1) / s;
  const std::size_t per_filter = (static_cast<std::size_t>(dh) * dw + kChannelsPerBlock * d.HH * d.WW) * sizeof(T);
  const int fc =
      fit_units(0, per_filter, static_cast<int>(std::min<int64_t>(d.F, kMaxFiltersPerChunk)), kDefaultSharedBytes);
  const std::size_t smem = fc * per_filter;
  allow_dynamic_shared(conv_dx_tiled_kernel<T>, smem, "conv_backward (tiled, dx)");
  const ConvTileGrid g = conv_tile_grid("conv_backward (tiled, dx)", d.N, d.H, d.W, d.C, kChannelsPerBlock);
  launch("conv_dx_tiled_kernel", conv_dx_tiled_kernel<T>, g.grid, dim3(kConvTile, kConvTile), smem, dout, w, d, fc, dh,
         dw, g.tiles_w, g.tiles, dx);
}

template <class T>
void conv_dw_tiled_launch(const T* dout, const T* x, const ConvDims& d, T* dw) {
  constexpr int kPix = kConvTile * kConvTile;
  const int in_h = conv_halo_tile(d.stride, d.HH), in_w = conv_halo_tile(d.stride, d.WW);
  const std::size_t smem = (kPix + static_cast<std::size_t>(in_h) * in_w) * sizeof(T);
  allow_dynamic_shared(conv_dw_tiled_kernel<T>, smem, "conv_backward (tiled, dw)");
  const int64_t tiles_w = ceil_div(d.Wout, kConvTile), tiles = ceil_div(d.Hout, kConvTile) * tiles_w;
  CONVLAB_CHECK(d.F * d.C <= 0x7fffffff && ceil_div(d.HH * d.WW, kPix) <= 65535,
                "conv_backward (tiled): too many (filter, channel) pairs or taps for one launch, got F = "
                    << d.F << ", C = " << d.C << ", filter " << d.HH << "x" << d.WW);
  const dim3 grid(static_cast<unsigned>(d.F * d.C), static_cast<unsigned>(ceil_div(d.HH * d.WW, kPix)));
  launch("conv_dw_tiled_kernel", conv_dw_tiled_kernel<T>, grid, kPix, smem, dout, x, d, in_h, in_w, tiles_w, tiles, dw);
}

template void conv_dx_tiled_launch<float>(const float*, const float*, const ConvDims&, float*);
template void conv_dx_tiled_launch<double>(const double*, const double*, const ConvDims&, double*);
template void conv_dw_tiled_launch<float>(const float*, const float*, const ConvDims&, float*);
template void conv_dw_tiled_launch<double>(const double*, const double*, const ConvDims&, double*);

}  // namespace convlab::cuda
