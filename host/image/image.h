// Image: 8-bit pixels in HWC order (row-major, channels interleaved), the
// layout of image files and of numpy arrays read by imageio. Reading, writing
// and resizing use stb (stb_image, stb_image_write, stb_image_resize).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace convlab {

struct Image {
  int height = 0;
  int width = 0;
  int channels = 0;             // 1 (gray), 3 (RGB) or 4 (RGBA)
  std::vector<uint8_t> pixels;  // height * width * channels bytes, HWC

  Image() = default;
  Image(int h, int w, int c, uint8_t value = 0);

  bool empty() const { return pixels.empty(); }
  uint8_t& at(int y, int x, int c) { return pixels[(static_cast<size_t>(y) * width + x) * channels + c]; }
  uint8_t at(int y, int x, int c) const { return pixels[(static_cast<size_t>(y) * width + x) * channels + c]; }
};

// Reads a JPEG/PNG/BMP/... file with `channels` channels (1, 3 or 4;
// stb converts as needed). Throws convlab::Error naming the file and stb's
// reason when it cannot be read.
Image load_image(const std::string& path, int channels = 3);

// Writes img as PNG; creates no folders. Throws when the file cannot be written.
void write_png(const std::string& path, const Image& img);

// Resizes with a bicubic (Catmull-Rom) filter on the stored values, as
// Pillow's Image.resize does by default; edges are clamped.
Image resize_image(const Image& img, int width, int height);

// The notebook's crop of a wide image to a square: d = W - H, keep columns
// [d//2, W - ceil(d/2)) (python's img[:, d//2:-d//2]). A tall image is
// cropped the same way along its rows; a square one is returned as is.
Image centre_crop_square(const Image& img);

// Repeats every pixel factor x factor times (nearest-neighbour upscaling,
// what matplotlib's interpolation='nearest' shows for small images).
Image scale_nearest(const Image& img, int factor);

// Gray image to RGB (each value copied into the three channels); RGB unchanged.
Image to_rgb(const Image& img);

// Places equally sized cells on a rows x cols grid, row by row, with `pad`
// pixels of colour `pad_value` between cells and around the border
// (`border` pixels). Gray cells are shown as RGB when any cell is RGB.
Image tile_images(const std::vector<Image>& cells, int cols, int pad, int border, uint8_t pad_value);

}  // namespace convlab
