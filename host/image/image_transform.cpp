// Geometric image operations: resize (stb_image_resize), centre crop,
// nearest-neighbour upscaling, gray -> RGB.
#include <stb/stb_image_resize.h>

#include <algorithm>

#include "host/error.h"
#include "host/image/image.h"

namespace convlab {

Image resize_image(const Image& img, int width, int height) {
  CONVLAB_CHECK(!img.empty(), "resize_image: the input image is empty");
  CONVLAB_CHECK(width > 0 && height > 0, "resize_image: target size must be positive, got " << width << "x" << height);
  Image out(height, width, img.channels);
  const int alpha = img.channels == 4 ? 3 : STBIR_ALPHA_CHANNEL_NONE;
  const int ok = stbir_resize_uint8_generic(img.pixels.data(), img.width, img.height, 0, out.pixels.data(), width,
                                            height, 0, img.channels, alpha, 0, STBIR_EDGE_CLAMP,
                                            STBIR_FILTER_CATMULLROM, STBIR_COLORSPACE_LINEAR, nullptr);
  CONVLAB_CHECK(ok != 0, "resize_image: stb_image_resize failed for " << img.width << "x" << img.height << " -> "
                                                                      << width << "x" << height);
  return out;
}

Image centre_crop_square(const Image& img) {
  const int d = img.width - img.height;
  if (d == 0) return img;
  const bool wide = d > 0;
  const int cut = wide ? d : -d;
  const int side = wide ? img.height : img.width;
  const int y0 = wide ? 0 : cut / 2, x0 = wide ? cut / 2 : 0;
  Image out(side, side, img.channels);
  for (int y = 0; y < side; ++y)
    std::copy_n(&img.pixels[((static_cast<size_t>(y0 + y)) * img.width + x0) * img.channels],
                static_cast<size_t>(side) * img.channels, &out.pixels[static_cast<size_t>(y) * side * img.channels]);
  return out;
}

Image scale_nearest(const Image& img, int factor) {
  CONVLAB_CHECK(factor >= 1, "scale_nearest: factor must be >= 1, got " << factor);
  Image out(img.height * factor, img.width * factor, img.channels);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < img.channels; ++c) out.at(y, x, c) = img.at(y / factor, x / factor, c);
  return out;
}

Image to_rgb(const Image& img) {
  if (img.channels == 3) return img;
  CONVLAB_CHECK(img.channels == 1, "to_rgb: expected a gray or RGB image, got " << img.channels << " channels");
  Image out(img.height, img.width, 3);
  for (size_t i = 0; i < img.pixels.size(); ++i)
    for (int c = 0; c < 3; ++c) out.pixels[i * 3 + c] = img.pixels[i];
  return out;
}

}  // namespace convlab
