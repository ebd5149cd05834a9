// Conversions between 8-bit HWC images and NCHW Tensors (the notebook's
// img.transpose((2, 0, 1)) and back), and imshow_no_ax's normalisation.
#pragma once
#include <vector>

#include "host/image/image.h"
#include "host/tensor.h"

namespace convlab {

// Stacks same-sized images into an (N, C, H, W) CPU tensor of `dtype`
// holding the pixel values 0..255.
Tensor images_to_nchw(const std::vector<Image>& images, DType dtype = DType::f32);

// Image n of an (N, C, H, W) tensor (any device, C = 1 or 3) as HWC uint8,
// values truncated toward zero and clamped to 0..255 (numpy's astype('uint8')
// for values in range).
Image nchw_to_image(const Tensor& x, int64_t n);

// imshow_no_ax(img, normalize=True) of the notebook for one (H, W) plane or
// (C, H, W) image: 255 * (v - min) / (max - min), then truncated to uint8.
// A constant input (max == min) gives an all-zero image.
Image normalise_to_u8(const Tensor& img);

// C*H*W values in (C, H, W) order -> HWC image of ubound * (v - min) / (max - min)
// truncated to uint8, min and max taken over all the values (all zero when
// they are equal). Shared by normalise_to_u8 and visualize_grid.
Image scale_chw_to_u8(const double* values, int C, int H, int W, double ubound);

}  // namespace convlab
