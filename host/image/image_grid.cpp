// Tiling equally sized images into one grid image.
#include "host/error.h"
#include "host/image/image.h"

namespace convlab {

Image tile_images(const std::vector<Image>& cells, int cols, int pad, int border, uint8_t pad_value) {
  CONVLAB_CHECK(!cells.empty(), "tile_images: no images given");
  CONVLAB_CHECK(cols >= 1 && pad >= 0 && border >= 0,
                "tile_images: need cols >= 1, pad >= 0, border >= 0, got " << cols << ", " << pad << ", " << border);
  const int h = cells[0].height, w = cells[0].width;
  int channels = 1;
  for (size_t i = 0; i < cells.size(); ++i) {
    const Image& c = cells[i];
    CONVLAB_CHECK(c.height == h && c.width == w && (c.channels == 1 || c.channels == 3),
                  "tile_images: cell " << i << " is " << c.height << "x" << c.width << "x" << c.channels
                                       << ", expected " << h << "x" << w << " with 1 or 3 channels");
    if (c.channels == 3) channels = 3;
  }
  const int n = static_cast<int>(cells.size());
  const int rows = (n + cols - 1) / cols;
  const int used_cols = n < cols ? n : cols;
  Image grid(2 * border + rows * h + (rows - 1) * pad, 2 * border + used_cols * w + (used_cols - 1) * pad, channels,
             pad_value);
  for (int i = 0; i < n; ++i) {
    const Image cell = channels == 3 ? to_rgb(cells[i]) : cells[i];
    const int y0 = border + (i / cols) * (h + pad), x0 = border + (i % cols) * (w + pad);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int c = 0; c < channels; ++c) grid.at(y0 + y, x0 + x, c) = cell.at(y, x, c);
  }
  return grid;
}

}  // namespace convlab
