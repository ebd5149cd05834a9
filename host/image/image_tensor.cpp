// uint8 HWC images <-> float NCHW tensors, and min/max normalisation to 0..255.
#include "host/image/image_tensor.h"

#include <algorithm>

#include "host/error.h"

namespace convlab {

namespace {

uint8_t to_u8(double v) {
  if (!(v > 0.0)) return 0;  // also NaN
  return v >= 255.0 ? 255 : static_cast<uint8_t>(v);
}

// Writes plane-major (C, H, W) values, mapped by f, into an HWC image.
template <class F>
Image chw_to_image(const double* v, int C, int H, int W, F f) {
  Image img(H, W, C);
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) img.at(y, x, c) = to_u8(f(v[(static_cast<size_t>(c) * H + y) * W + x]));
  return img;
}

}  // namespace

Image scale_chw_to_u8(const double* values, int C, int H, int W, double ubound) {
  const size_t n = static_cast<size_t>(C) * H * W;
  CONVLAB_CHECK(n > 0, "scale_chw_to_u8: empty image " << C << "x" << H << "x" << W);
  const auto [lo_it, hi_it] = std::minmax_element(values, values + n);
  const double lo = *lo_it, hi = *hi_it;
  if (!(hi > lo)) return Image(H, W, C, 0);
  return chw_to_image(values, C, H, W, [&](double v) { return ubound * (v - lo) / (hi - lo); });
}

Tensor images_to_nchw(const std::vector<Image>& images, DType dtype) {
  CONVLAB_CHECK(!images.empty(), "images_to_nchw: no images given");
  const Image& first = images[0];
  const int64_t N = static_cast<int64_t>(images.size()), C = first.channels, H = first.height, W = first.width;
  Tensor t({N, C, H, W}, dtype);
  dispatch_floating(dtype, "images_to_nchw", [&](auto zero) {
    using T = decltype(zero);
    T* p = t.data<T>();
    for (int64_t n = 0; n < N; ++n) {
      const Image& img = images[n];
      CONVLAB_CHECK(img.channels == C && img.height == H && img.width == W,
                    "images_to_nchw: image " << n << " is " << img.height << "x" << img.width << "x" << img.channels
                                             << ", expected " << H << "x" << W << "x" << C);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t y = 0; y < H; ++y)
          for (int64_t x = 0; x < W; ++x)
            p[((n * C + c) * H + y) * W + x] =
                static_cast<T>(img.at(static_cast<int>(y), static_cast<int>(x), static_cast<int>(c)));
    }
  });
  return t;
}

Image nchw_to_image(const Tensor& x, int64_t n) {
  x.expect_ndim("nchw_to_image: x", 4);
  CONVLAB_CHECK(n >= 0 && n < x.dim(0), "nchw_to_image: index " << n << " out of range for x " << shape_str(x.shape()));
  CONVLAB_CHECK(x.dim(1) == 1 || x.dim(1) == 3,
                "nchw_to_image: expected 1 or 3 channels, got x " << shape_str(x.shape()));
  const std::vector<double> v = x.slice0(n, n + 1).to(Device::cpu).to_vector();
  return chw_to_image(v.data(), static_cast<int>(x.dim(1)), static_cast<int>(x.dim(2)), static_cast<int>(x.dim(3)),
                      [](double p) { return p; });
}

Image normalise_to_u8(const Tensor& img) {
  CONVLAB_CHECK(
      img.ndim() == 2 || (img.ndim() == 3 && (img.dim(0) == 1 || img.dim(0) == 3)),
      "normalise_to_u8: expected an (H, W) plane or a (C, H, W) image with C = 1 or 3, got " << shape_str(img.shape()));
  const std::vector<double> v = img.to(Device::cpu).to_vector();
  const int C = img.ndim() == 3 ? static_cast<int>(img.dim(0)) : 1;
  return scale_chw_to_u8(v.data(), C, static_cast<int>(img.dim(-2)), static_cast<int>(img.dim(-1)), 255.0);
}

}  // namespace convlab
