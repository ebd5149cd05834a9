// Launchers of the "tiled" conv variant (shared-memory direct convolution).
#pragma once
#include "host/ops/conv/conv.h"
#include "kernels/runtime/launch.h"

namespace convlab::cuda {

template <class T>
void conv_forward_tiled_launch(const T* x, const T* w, const T* b, const ConvDims& d, T* out);
template <class T>
void conv_dx_tiled_launch(const T* dout, const T* w, const ConvDims& d, T* dx);
template <class T>
void conv_dw_tiled_launch(const T* dout, const T* x, const ConvDims& d, T* dw);

// Output (or input) tile edge of the tiled kernels: a 16 x 16 thread block.
constexpr int kConvTile = 16;

// Rows (or columns) of input that a tile of output rows reads with filters
// of height k: the tile and its halo.
inline int conv_halo_tile(int stride, int64_t k) { return (kConvTile - 1) * stride + static_cast<int>(k); }

// Grid of the forward and dx kernels: x runs over (image, 16 x 16 tile of a
// height x width plane), y over groups of `per_block` of `count` filters or
// channels. Throws a clear error past the launch limits.
struct ConvTileGrid {
  int64_t tiles_w, tiles;
  dim3 grid;
};
inline ConvTileGrid conv_tile_grid(const char* op, int64_t N, int64_t height, int64_t width, int64_t count,
                                   int per_block) {
  const int64_t tiles_w = ceil_div(width, kConvTile), tiles = ceil_div(height, kConvTile) * tiles_w;
  const int64_t groups = ceil_div(count, per_block);
  CONVLAB_CHECK(N * tiles <= 0x7fffffff && groups <= 65535, op << ": too large for one launch: N = " << N
                                                               << " images of " << tiles << " tiles and " << count
                                                               << " filters or channels");
  return {tiles_w, tiles, dim3(static_cast<unsigned>(N * tiles), static_cast<unsigned>(groups))};
}

}  // namespace convlab::cuda
