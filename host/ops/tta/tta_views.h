// tta_view: one view of a float NCHW batch for test-time augmentation,
//   out[n, c, h, w] = x[n, c, r(h + dy), r(w' + dx)],  w' = flip ? W-1-w : w
// i.e. the picture shifted by (dy, dx) pixels with reflect padding of one
// pixel (r(-1) = 1, r(H) = H - 2, as torch's F.pad(.., 'reflect')), then
// mirrored left-right when `flip`. dy, dx in {-1, 0, 1}; a shift needs that
// side >= 2. Used by host/solver/tta.h (mirror, mirror_translate).
//
// `mean` (optional, (C, H, W), the dataset's mean image that the batch had
// subtracted): the view is then made of the picture before the subtraction,
//   out = view(x + mean) - mean,
// so that it equals the subtracted view of the raw picture (a per-pixel mean
// image does not commute with a flip or a shift; a per-channel one does).
//
// Variants (chosen by the tensor's device):
//   cpu    host/ops/tta/tta_views.cpp  loop over rows (threads over n*c*h when large)
//   cuda   kernels/tta/tta_views.cu    grid-stride loop, one output element per thread
#pragma once
#include "host/tensor.h"

namespace convlab {

Tensor tta_view(const Tensor& x, bool flip, int dy, int dx, const Tensor& mean = Tensor());

}  // namespace convlab
