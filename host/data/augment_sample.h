// One output element of an augmented, normalised training batch: the
// function that the CPU loader (host/data/augment.cpp) and the GPU kernel
// (kernels/data/augment_gather.cu) both call, so that the two produce the
// same floats for the same per-sample parameters (same expressions, same
// order; no multiply-add that a compiler could contract).
//
// Output element (c, y, x) of a sample with parameters s, image (C, H, W):
//   1. cutout: 0 inside the rectangle [cut_y0, cut_y1) x [cut_x0, cut_x1);
//   2. flip: x' = W - 1 - x when s.flip, else x;
//   3. translate: the source pixel is (y + dy, x' + dx), i.e. the window at
//      offset (r + dy, r + dx) of the image padded by r; outside the image it
//      is the reflection (numpy/torch "reflect", no edge repeat) or, with zero
//      padding, 0 in the output (the value a normalised "blank" pixel has);
//   4. normalise: p - mean_image[c, y, x] ("mean": the mean image at the
//      output position, as every picture is normalised at evaluation),
//      (p - mean[c]) / std[c] ("mean_std"), or p ("none").
#pragma once
#include <cstdint>

#include "host/random/counter_rng.h"  // CONVLAB_HD

namespace convlab {

// Per-sample parameters, 7 int32 so that a batch's parameters are one small
// int32 array (B, 7) to upload.
struct AugmentSample {
  int32_t dy = 0, dx = 0;                                  // shift in [-translate, translate]
  int32_t flip = 0;                                        // 1: mirror horizontally
  int32_t cut_y0 = 0, cut_y1 = 0, cut_x0 = 0, cut_x1 = 0;  // cutout rectangle (empty: none)
};
constexpr int kAugmentSampleInts = 7;
static_assert(sizeof(AugmentSample) == kAugmentSampleInts * sizeof(int32_t), "AugmentSample must be 7 packed int32");

// Reflects an index into [0, n) without repeating the edge (-1 -> 1, n -> n - 2);
// |overhang| < n. Also the padding of the test-time-augmentation views
// (host/ops/tta/tta_views.cpp, kernels/tta/tta_views.cu).
template <class I>
CONVLAB_HD I reflect_index(I i, I n) {
  return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i);
}

// The normalisation of the dataset (pointers on the dataset's device; null = absent).
struct NormalizeParams {
  const float* mean_image = nullptr;    // (C, H, W): p - mean_image
  const float* channel_mean = nullptr;  // (C,) with channel_std: (p - mean_c) / std_c
  const float* channel_std = nullptr;
};

// Output element (c, y, x) of one sample; `image` is the sample's (C, H, W) source.
template <class Src>
CONVLAB_HD float augmented_element(const Src* image, int C, int H, int W, int c, int y, int x, const AugmentSample& s,
                                   bool reflect, const NormalizeParams& norm) {
  (void)C;
  if (y >= s.cut_y0 && y < s.cut_y1 && x >= s.cut_x0 && x < s.cut_x1) return 0.0f;
  const int xf = s.flip ? W - 1 - x : x;
  int sy = y + s.dy, sx = xf + s.dx;
  if (sy < 0 || sy >= H || sx < 0 || sx >= W) {
    if (!reflect) return 0.0f;
    sy = reflect_index(sy, H);
    sx = reflect_index(sx, W);
  }
  const int64_t off = (static_cast<int64_t>(c) * H + sy) * W + sx;
  const float p = static_cast<float>(image[off]);
  if (norm.channel_std) return (p - norm.channel_mean[c]) / norm.channel_std[c];
  // The mean image is subtracted at the output position: the augmented
  // picture is normalised as evaluation (and test-time augmentation,
  // host/ops/tta/tta_views.h) normalises a picture.
  if (norm.mean_image) return p - norm.mean_image[(static_cast<int64_t>(c) * H + y) * W + x];
  return p;
}

}  // namespace convlab
