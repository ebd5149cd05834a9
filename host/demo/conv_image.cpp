// Conv image demo: load, crop, resize, convolve with convlab's conv forward,
// normalise and tile the results.
#include "host/demo/conv_image.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "host/error.h"
#include "host/image/image_tensor.h"
#include "host/ops/conv/conv.h"
#include "host/plot/image_figure.h"
#include "kernels/runtime/cuda_device.h"

namespace convlab {

Tensor conv_image_demo_filters() {
  Tensor w({2, 3, 3, 3}, DType::f32);
  auto tap = [&](int f, int c, int y, int x, double v) { w.set_item(((f * 3 + c) * 3 + y) * 3 + x, v); };
  tap(0, 0, 1, 1, 0.3);  // grayscale: red
  tap(0, 1, 1, 1, 0.6);  //            green
  tap(0, 2, 1, 1, 0.1);  //            blue
  const double sobel[3][3] = {{1, 2, 1}, {0, 0, 0}, {-1, -2, -1}};
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) tap(1, 2, y, x, sobel[y][x]);  // horizontal edges, blue channel
  return w;
}

Tensor conv_image_demo_biases() { return Tensor::from_vector({0.0, 128.0}, {2}, DType::f32); }

ConvImageDemo run_conv_image_demo(const std::string& first, const std::string& second, int img_size) {
  CONVLAB_CHECK(img_size >= 3, "conv image demo: img_size must be >= 3, got " << img_size);
  std::vector<Image> photos;
  for (const std::string& path : {first, second})
    photos.push_back(resize_image(centre_crop_square(load_image(path, 3)), img_size, img_size));

  ConvImageDemo d;
  d.x = images_to_nchw(photos, DType::f32);
  d.w = conv_image_demo_filters();
  d.b = conv_image_demo_biases();
  // The GPU when there is one and convlab was built with a CUDA conv.
  d.device = cuda::available() && !OpRegistry<ConvImpl>::variants(Device::cuda).empty() ? Device::cuda : Device::cpu;
  ConvParam param;
  param.stride = 1;
  param.pad = 1;
  d.out = conv_forward(d.x.to(d.device), d.w.to(d.device), d.b.to(d.device), param).out.to(Device::cpu);

  for (int64_t n = 0; n < 2; ++n) {
    d.cells.push_back(photos[n]);
    for (int64_t f = 0; f < 2; ++f)
      d.cells.push_back(normalise_to_u8(
          d.out.slice0(n, n + 1).reshape({2, img_size, img_size}).slice0(f, f + 1).reshape({img_size, img_size})));
  }
  d.grid = tile_images(d.cells, 3, 4, 4, 255);
  return d;
}

std::string default_demo_image(const std::string& file_name) {
  const char* dir = std::getenv("CONVLAB_DATA_DIR");
  CONVLAB_CHECK(dir != nullptr && *dir != '\0',
                "conv image demo: no images given and CONVLAB_DATA_DIR is not set (expected "
                "$CONVLAB_DATA_DIR/images/"
                    << file_name << ")");
  const std::filesystem::path p = std::filesystem::path(dir) / "images" / file_name;
  CONVLAB_CHECK(std::filesystem::exists(p), "conv image demo: " << p.string() << " does not exist");
  return p.string();
}

ConvImageDemo write_conv_image_demo(const std::string& first, const std::string& second, const std::string& out_png,
                                    int img_size, bool titled) {
  ConvImageDemo d = run_conv_image_demo(first, second, img_size);
  if (!titled) {
    write_png(out_png, d.grid);
    return d;
  }
  const char* titles[6] = {"Original image", "Grayscale", "Edges", "", "", ""};
  std::vector<TitledImage> cells;
  for (int i = 0; i < 6; ++i) cells.push_back({d.cells[i], titles[i]});
  render_image_figure(cells, 3, out_png, img_size < 100 ? 100 : img_size);
  return d;
}

}  // namespace convlab
