// Image files (stb), crop, resize, tiling and Tensor conversions.
#include <filesystem>

#include "host/image/image.h"
#include "host/image/image_tensor.h"
#include "picture_test_util.h"
#include "test_util.h"

using namespace convlab;
namespace fs = std::filesystem;

namespace {

// Pixel (y, x, c) = (y * 31 + x * 7 + c * 50) mod 256: every pixel distinct enough to catch mix-ups.
Image pattern(int h, int w, int c) {
  Image img(h, w, c);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k) img.at(y, x, k) = static_cast<uint8_t>((y * 31 + x * 7 + k * 50) % 256);
  return img;
}

}  // namespace

TEST(Image, PngRoundTripKeepsEveryPixel) {
  const auto dir = test::fresh_temp_dir("image_roundtrip");
  for (int channels : {1, 3, 4}) {
    const Image img = pattern(9, 13, channels);
    const std::string path = (dir / ("p" + std::to_string(channels) + ".png")).string();
    write_png(path, img);
    EXPECT_TRUE(test::has_png_signature(path));
    const Image back = load_image(path, channels);
    EXPECT_EQ(back.height, 9);
    EXPECT_EQ(back.width, 13);
    EXPECT_EQ(back.channels, channels);
    EXPECT_EQ(back.pixels, img.pixels);
  }
  fs::remove_all(dir);
}

TEST(Image, LoadConvertsGrayToRgb) {
  const auto dir = test::fresh_temp_dir("image_gray");
  const Image gray = pattern(4, 5, 1);
  write_png((dir / "g.png").string(), gray);
  const Image rgb = load_image((dir / "g.png").string(), 3);
  ASSERT_EQ(rgb.channels, 3);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(rgb.at(3, 4, c), gray.at(3, 4, 0));
  fs::remove_all(dir);
}

TEST(Image, ErrorsNameTheFile) {
  try {
    load_image("no_such_dir/missing.jpg");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.jpg"), std::string::npos) << e.what();
  }
  try {
    write_png("no_such_dir/out.png", pattern(2, 2, 3));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_dir/out.png"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_image("x.png", 2), Error);
  EXPECT_THROW(write_png("x.png", Image{}), Error);
}

TEST(Image, CentreCropOfAWideImageKeepsTheMiddleColumns) {
  // The notebook's kitten[:, d//2:-d//2]: W=7, H=4, d=3 keeps columns 1..4.
  const Image wide = pattern(4, 7, 3);
  const Image sq = centre_crop_square(wide);
  ASSERT_EQ(sq.height, 4);
  ASSERT_EQ(sq.width, 4);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) EXPECT_EQ(sq.at(y, x, c), wide.at(y, x + 1, c));
  // The kitten's own size: 400x266 -> columns 67..332.
  const Image kitten_like = pattern(266, 400, 3);
  const Image k = centre_crop_square(kitten_like);
  ASSERT_EQ(k.width, 266);
  EXPECT_EQ(k.at(5, 0, 0), kitten_like.at(5, 67, 0));
  EXPECT_EQ(k.at(5, 265, 1), kitten_like.at(5, 332, 1));
}

TEST(Image, CentreCropOfATallImageAndOfASquareOne) {
  const Image tall = pattern(8, 4, 1);
  const Image sq = centre_crop_square(tall);
  ASSERT_EQ(sq.height, 4);
  ASSERT_EQ(sq.width, 4);
  EXPECT_EQ(sq.at(0, 3, 0), tall.at(2, 3, 0));
  const Image square = pattern(5, 5, 3);
  EXPECT_EQ(centre_crop_square(square).pixels, square.pixels);
}

TEST(Image, ResizeGivesTheSizeAndKeepsFlatColour) {
  Image flat(30, 50, 3);
  for (int y = 0; y < 30; ++y)
    for (int x = 0; x < 50; ++x) {
      flat.at(y, x, 0) = 200;
      flat.at(y, x, 1) = 100;
      flat.at(y, x, 2) = 7;
    }
  for (auto [w, h] : {std::pair{20, 12}, std::pair{120, 90}}) {
    const Image r = resize_image(flat, w, h);
    ASSERT_EQ(r.width, w);
    ASSERT_EQ(r.height, h);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        EXPECT_EQ(r.at(y, x, 0), 200);
        EXPECT_EQ(r.at(y, x, 1), 100);
        EXPECT_EQ(r.at(y, x, 2), 7);
      }
  }
  EXPECT_THROW(resize_image(flat, 0, 5), Error);
}

TEST(Image, ResizeKeepsAHorizontalRampIncreasing) {
  Image ramp(10, 64, 1);
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 64; ++x) ramp.at(y, x, 0) = static_cast<uint8_t>(x * 4);
  const Image r = resize_image(ramp, 16, 5);
  for (int x = 1; x < 16; ++x) EXPECT_GT(r.at(2, x, 0), r.at(2, x - 1, 0)) << "x = " << x;
  EXPECT_LT(r.at(2, 0, 0), 16);
  EXPECT_GT(r.at(2, 15, 0), 235);
}

TEST(Image, ScaleNearestRepeatsPixels) {
  const Image img = pattern(2, 3, 3);
  const Image big = scale_nearest(img, 4);
  ASSERT_EQ(big.height, 8);
  ASSERT_EQ(big.width, 12);
  EXPECT_EQ(big.at(7, 11, 2), img.at(1, 2, 2));
  EXPECT_EQ(big.at(4, 3, 1), img.at(1, 0, 1));
  EXPECT_THROW(scale_nearest(img, 0), Error);
}

TEST(Image, TilePlacesCellsWithPaddingAndBorder) {
  // Two 2x2 cells (one gray, one RGB) on 2 columns, pad 1, border 2.
  Image gray(2, 2, 1, 10), rgb(2, 2, 3, 0);
  rgb.at(1, 1, 2) = 99;
  const Image grid = tile_images({gray, rgb}, 2, 1, 2, 255);
  ASSERT_EQ(grid.height, 2 + 2 + 2);
  ASSERT_EQ(grid.width, 2 + 2 + 1 + 2 + 2);
  ASSERT_EQ(grid.channels, 3);
  EXPECT_EQ(grid.at(0, 0, 0), 255);  // border
  EXPECT_EQ(grid.at(2, 4, 1), 255);  // padding between the cells
  EXPECT_EQ(grid.at(2, 2, 0), 10);   // gray cell, shown in all channels
  EXPECT_EQ(grid.at(3, 3, 2), 10);
  EXPECT_EQ(grid.at(3, 6, 2), 99);  // rgb cell's (1, 1)
  EXPECT_EQ(grid.at(3, 6, 0), 0);
  EXPECT_THROW(tile_images({gray, Image(3, 2, 1)}, 2, 1, 0, 0), Error);
  EXPECT_THROW(tile_images({}, 2, 1, 0, 0), Error);
}

TEST(Image, NchwConversionRoundTrips) {
  const Image a = pattern(3, 4, 3), b = pattern(3, 4, 3);
  Image b2 = b;
  b2.at(2, 3, 1) = 1;
  const Tensor x = images_to_nchw({a, b2}, DType::f64);
  ASSERT_EQ(x.shape(), (Shape{2, 3, 3, 4}));
  EXPECT_EQ(x.item(((1 * 3 + 1) * 3 + 2) * 4 + 3), 1.0);
  EXPECT_EQ(x.item(((0 * 3 + 2) * 3 + 1) * 4 + 0), a.at(1, 0, 2));
  EXPECT_EQ(nchw_to_image(x, 0).pixels, a.pixels);
  EXPECT_EQ(nchw_to_image(x, 1).pixels, b2.pixels);
  EXPECT_THROW(nchw_to_image(x, 2), Error);
  EXPECT_THROW(images_to_nchw({a, pattern(3, 5, 3)}), Error);
}

TEST(Image, NormaliseMatchesImshowNoAx) {
  // 255 * (v - min) / (max - min), truncated: -1 -> 0, 0 -> 63.75 -> 63, 1 -> 127.5 -> 127, 3 -> 255.
  const Tensor plane = Tensor::from_vector({-1, 0, 1, 3}, {2, 2}, DType::f32);
  const Image img = normalise_to_u8(plane);
  ASSERT_EQ(img.channels, 1);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{0, 63, 127, 255}));
  EXPECT_EQ(normalise_to_u8(Tensor::full({3, 3}, 5.0)).pixels, std::vector<uint8_t>(9, 0));
  const Image rgb = normalise_to_u8(Tensor::from_vector({0, 1, 2, 3, 4, 5}, {3, 1, 2}, DType::f64));
  ASSERT_EQ(rgb.channels, 3);
  EXPECT_EQ(rgb.at(0, 1, 2), 255);  // channel 2, x 1 is the max
  EXPECT_EQ(rgb.at(0, 0, 1), 102);  // 255 * 2 / 5
  EXPECT_THROW(normalise_to_u8(Tensor({2, 2, 2})), Error);
}

TEST(Image, LoadsTheNotebookPhotos) {
  const std::string dir = test::data_dir();
  if (dir.empty() || !fs::exists(fs::path(dir) / "images" / "kitten.jpg"))
    GTEST_SKIP() << "CONVLAB_DATA_DIR/images/kitten.jpg not found; set CONVLAB_DATA_DIR to the datasets folder";
  const Image kitten = load_image((fs::path(dir) / "images" / "kitten.jpg").string());
  EXPECT_EQ(kitten.height, 266);
  EXPECT_EQ(kitten.width, 400);
  EXPECT_EQ(centre_crop_square(kitten).width, 266);
  const Image puppy = load_image((fs::path(dir) / "images" / "puppy.jpg").string());
  EXPECT_EQ(puppy.height, 517);
  EXPECT_EQ(puppy.width, 517);
}
