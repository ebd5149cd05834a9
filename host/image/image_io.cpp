// Image construction, file reading (stb_image) and PNG writing (stb_image_write).
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <memory>

#include "host/error.h"
#include "host/image/image.h"

namespace convlab {

Image::Image(int h, int w, int c, uint8_t value)
    : height(h), width(w), channels(c), pixels(static_cast<size_t>(h) * w * c, value) {
  CONVLAB_CHECK(h >= 0 && w >= 0 && (c == 1 || c == 3 || c == 4),
                "Image: expected height, width >= 0 and 1, 3 or 4 channels, got " << h << "x" << w << "x" << c);
}

Image load_image(const std::string& path, int channels) {
  CONVLAB_CHECK(channels == 1 || channels == 3 || channels == 4,
                "load_image: channels must be 1, 3 or 4, got " << channels);
  int w = 0, h = 0, file_channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> data(stbi_load(path.c_str(), &w, &h, &file_channels, channels),
                                                 stbi_image_free);
  CONVLAB_CHECK(data != nullptr, "load_image: cannot read image '" << path << "': " << stbi_failure_reason());
  Image img(h, w, channels);
  std::copy(data.get(), data.get() + img.pixels.size(), img.pixels.begin());
  return img;
}

void write_png(const std::string& path, const Image& img) {
  CONVLAB_CHECK(!img.empty() && img.pixels.size() == static_cast<size_t>(img.height) * img.width * img.channels,
                "write_png: image '" << path << "' is empty or inconsistent (" << img.height << "x" << img.width << "x"
                                     << img.channels << ", " << img.pixels.size() << " bytes)");
  const int ok =
      stbi_write_png(path.c_str(), img.width, img.height, img.channels, img.pixels.data(), img.width * img.channels);
  CONVLAB_CHECK(ok != 0, "write_png: cannot write '" << path << "' (missing folder or no permission?)");
}

}  // namespace convlab
