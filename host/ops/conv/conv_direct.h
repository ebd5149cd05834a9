// Direct convolution of one image with AVX2/FMA register tiles, for float32
// and stride 1 (every conv of ThreeLayerConvNet and of the usual 3x3 nets).
// No im2col matrix is built: the image is copied once into a zero-padded
// buffer and the kernels read shifted rows of it straight into registers.
//
// forward: out[f, i, j] = b[f] + sum_{c,r,q} w[f, c, r, q] * xp[c, i + r, j + q]
//   tile = 6 filters x 16 output columns of one row, or x 8 columns of two
//   rows when rows are 8 wide or less (12 ymm accumulators);
//   per tap: 2 loads of xp (shared by the 6 filters), 6 broadcasts of w,
//   12 FMAs. Rows are cut into 8-column chunks; a partial last chunk is
//   computed in full from the padded buffer and stored under a mask.
// dw:      dw[f, c, r, q] += sum_{i,j} dout[f, i, j] * xp[c, i + r, j + q]
//   filters 5 to 8 wide: the taps q of a filter row sit in the 8 lanes of
//   one vector (an unaligned load of xp[c, i + r, j .. j + 7]); tile = 4
//   filters x 3 filter rows (12 accumulators), one broadcast of dout per
//   filter and position, swept over every output position of the image.
//   Other widths (3x3 would leave 5 of 8 lanes idle): tile = 4 filters x 3
//   taps of one (c, r), summed along 8-column chunks of every output row and
//   reduced across lanes once per image.
//
// Used when direct_conv_usable(d) holds: few filters (F <= 32) or a filter 5
// wide or more (else im2col + GEMM is faster), the CPU has AVX2 and FMA (checked
// at run time, so the library itself stays built for the baseline x86-64),
// stride 1, float32. Otherwise the fast ops use im2col + GEMM.
#pragma once
#include <cstdint>
#include <vector>

#include "host/ops/conv/conv.h"

namespace convlab::threaded {

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

// dx as a direct convolution: for stride 1 and a square filter with
// pad <= HH - 1, dx = conv(dout, w'), with w'[c, f, r, q] = w[f, c, HH-1-r,
// WW-1-q], padding HH - 1 - pad and no bias, so the forward kernels compute
// it. The plan holds the transposed problem and w' for one call.
struct DirectDxPlan {
  ConvDims dims;  // N, C = F, H = Hout, W = Wout, F = C, ..., Hout = H, Wout = W
  std::vector<float> w, zero_bias;
};
bool direct_conv_dx_usable(const ConvDims& d);
DirectDxPlan direct_conv_dx_plan(const ConvDims& d, const float* w);
// One image: dx (C, H, W) = the input gradient from dout (F, Hout, Wout) (overwritten).
void direct_conv_dx_image(const DirectDxPlan& plan, const float* dout, float* dx, float* scratch);

}  // namespace convlab::threaded
