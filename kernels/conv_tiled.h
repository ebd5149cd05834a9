// Launchers of the "tiled" conv variant (shared-memory direct convolution).
#pragma once
#include "host/ops/conv.h"

namespace convlab::cuda {

template <class T>
void conv_forward_tiled_launch(const T* x, const T* w, const T* b, const ConvDims& d, T* out);
template <class T>
void conv_dx_tiled_launch(const T* dout, const T* w, const ConvDims& d, T* dx);
template <class T>
void conv_dw_tiled_launch(const T* dout, const T* x, const ConvDims& d, T* dw);

// Output (or input) tile edge of the tiled kernels: a 16 x 16 thread block.
constexpr int kConvTile = 16;

}  // namespace convlab::cuda
