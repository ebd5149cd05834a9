// Direct convolution of one image with AVX2/FMA register tiles, for float32
// and stride 1 (every conv of ThreeLayerConvNet and of the usual 3x3 nets).
// No im2col matrix is built: the image is copied once into a zero-padded
// buffer and the kernels read shifted rows of it straight into registers.
//
// forward: out[f, i, j] = b[f] + sum_{c,r,q} w[f, c, r, q] * xp[c, i + r, j + q]
//   tile = 6 filters x 16 output columns of one row (12 ymm accumulators);
//   per tap: 2 loads of xp (shared by the 6 filters), 6 broadcasts of w,
//   12 FMAs. Rows are cut into 8-column chunks; a partial last chunk is
//   computed in full from the padded buffer and stored under a mask.
// dw:      dw[f, c, r, q] += sum_{i,j} dout[f, i, j] * xp[c, i + r, j + q]
//   filters up to 8 wide: the taps q of a filter row sit in the 8 lanes of
//   one vector (an unaligned load of xp[c, i + r, j .. j + 7]); tile = 4
//   filters x 3 filter rows (12 accumulators), one broadcast of dout per
//   filter and position, swept over every output position of the image.
//   Wider filters: tile = 4 filters x 3 taps of one (c, r), summed along
//   8-column chunks of every output row and reduced across lanes once per
//   image.
//
// Used when direct_conv_usable(d) holds: the CPU has AVX2 and FMA (checked
// at run time, so the library itself stays built for the baseline x86-64),
// stride 1, float32. Otherwise the fast ops use im2col + GEMM.
#pragma once
#include <cstdint>

#include "host/ops/conv.h"

namespace convlab::fast {

// True on x86-64 CPUs with AVX2 and FMA, unless turned off below.
bool direct_conv_supported();
// Tests switch the direct kernels off to check the im2col + GEMM path on the
// same machine; returns the previous setting.
bool set_direct_conv_enabled(bool on);
bool direct_conv_usable(const ConvDims& d);

// Floats of scratch the calls below need (the padded image).
int64_t direct_conv_scratch(const ConvDims& d);

// One image: x (C, H, W) -> out (F, Hout, Wout).
void direct_conv_forward_image(const ConvDims& d, const float* x, const float* w, const float* b, float* out,
                               float* scratch);
// One image: adds its contribution to dw (F, C, HH, WW) from x (C, H, W)
// and dout (F, Hout, Wout).
void direct_conv_dw_image(const ConvDims& d, const float* x, const float* dout, float* dw, float* scratch);

}  // namespace convlab::fast
