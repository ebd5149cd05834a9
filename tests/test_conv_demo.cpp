// The conv image demo: filters, conv outputs against hand computation, the
// 2x3 picture; on the notebook's photos when CONVLAB_DATA_DIR is set.
#include <filesystem>

#include "host/demo/conv_image.h"
#include "host/image/image.h"
#include "host/plot/gnuplot.h"
#include "picture_test_util.h"
#include "test_util.h"

using namespace convlab;
namespace fs = std::filesystem;

namespace {

// x[n, c, y, x] of the demo input (pixel values), 0 outside the image (zero padding).
double px(const ConvImageDemo& d, int n, int c, int y, int x) {
  const int S = static_cast<int>(d.x.dim(2));
  if (y < 0 || x < 0 || y >= S || x >= S) return 0.0;
  return d.x.item(((static_cast<int64_t>(n) * 3 + c) * S + y) * S + x);
}

double out(const ConvImageDemo& d, int n, int f, int y, int x) {
  const int S = static_cast<int>(d.out.dim(2));
  return d.out.item(((static_cast<int64_t>(n) * 2 + f) * S + y) * S + x);
}

// The edge filter by hand: [[1,2,1],[0,0,0],[-1,-2,-1]] on blue, plus 128.
double edge(const ConvImageDemo& d, int n, int y, int x) {
  const double k[3] = {1, 2, 1};
  double s = 128.0;
  for (int j = -1; j <= 1; ++j) s += k[j + 1] * (px(d, n, 2, y - 1, x + j) - px(d, n, 2, y + 1, x + j));
  return s;
}

void expect_outputs_match_hand_computation(const ConvImageDemo& d, const std::vector<std::pair<int, int>>& points) {
  for (int n = 0; n < 2; ++n)
    for (auto [y, x] : points) {
      const double gray = 0.3 * px(d, n, 0, y, x) + 0.6 * px(d, n, 1, y, x) + 0.1 * px(d, n, 2, y, x);
      EXPECT_NEAR(out(d, n, 0, y, x), gray, 1e-3) << "grayscale at n=" << n << " (" << y << ", " << x << ")";
      EXPECT_NEAR(out(d, n, 1, y, x), edge(d, n, y, x), 1e-3) << "edges at n=" << n << " (" << y << ", " << x << ")";
    }
}

}  // namespace

TEST(ConvDemo, FiltersAreTheNotebooks) {
  const Tensor w = conv_image_demo_filters();
  ASSERT_EQ(w.shape(), (Shape{2, 3, 3, 3}));
  auto at = [&](int f, int c, int y, int x) { return w.item(((f * 3 + c) * 3 + y) * 3 + x); };
  EXPECT_FLOAT_EQ(at(0, 0, 1, 1), 0.3f);
  EXPECT_FLOAT_EQ(at(0, 1, 1, 1), 0.6f);
  EXPECT_FLOAT_EQ(at(0, 2, 1, 1), 0.1f);
  EXPECT_EQ(at(0, 0, 0, 0), 0.0);
  EXPECT_EQ(at(1, 2, 0, 1), 2.0);
  EXPECT_EQ(at(1, 2, 2, 0), -1.0);
  EXPECT_EQ(at(1, 0, 0, 1), 0.0);
  double sum = 0;
  for (int64_t i = 0; i < w.numel(); ++i) sum += std::abs(w.item(i));
  EXPECT_NEAR(sum, 1.0 + 8.0, 1e-6);
  EXPECT_EQ(conv_image_demo_biases().to_vector(), (std::vector<double>{0.0, 128.0}));
}

TEST(ConvDemo, SmallSyntheticImages) {
  const auto dir = test::fresh_temp_dir("conv_demo_small");
  // A wide colour pattern and a square one, as the kitten and the puppy.
  Image wide(20, 30, 3), square(16, 16, 3);
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 30; ++x) {
      wide.at(y, x, 0) = static_cast<uint8_t>(8 * x);
      wide.at(y, x, 1) = static_cast<uint8_t>(12 * y);
      wide.at(y, x, 2) = static_cast<uint8_t>(y < 10 ? 30 : 220);  // a horizontal edge in blue
    }
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x)
      for (int c = 0; c < 3; ++c) square.at(y, x, c) = static_cast<uint8_t>((x * 16 + y * 5 + c * 70) % 256);
  write_png((dir / "square.png").string(), square);
  write_png((dir / "wide.png").string(), wide);
  const std::string out_png = (dir / "demo.png").string();
  const ConvImageDemo d =
      write_conv_image_demo((dir / "square.png").string(), (dir / "wide.png").string(), out_png, 16);

  ASSERT_EQ(d.x.shape(), (Shape{2, 3, 16, 16}));
  ASSERT_EQ(d.out.shape(), (Shape{2, 2, 16, 16}));
  // The square photo needs no crop and no resize: row 0 of x is the file's pixels.
  EXPECT_EQ(px(d, 0, 1, 3, 7), square.at(3, 7, 1));
  expect_outputs_match_hand_computation(d, {{0, 0}, {5, 9}, {15, 15}, {8, 3}});

  // Picture: 2 rows x 3 cells of 16 with 4-pixel white gaps and border.
  const test::DecodedPng png = test::decode_png(out_png);
  ASSERT_EQ(png.width, 4 + 3 * 16 + 2 * 4 + 4);
  ASSERT_EQ(png.height, 4 + 2 * 16 + 4 + 4);
  ASSERT_EQ(png.channels, 3);
  EXPECT_GT(png.variance(), 100.0);
  EXPECT_EQ(png.at(0, 0, 0), 255);
  EXPECT_EQ(png.at(10, 20, 1), 255);                       // gap between the first two cells (x = 20..23)
  EXPECT_EQ(png.at(4 + 3, 4 + 7, 1), square.at(3, 7, 1));  // first cell: the photo
  fs::remove_all(dir);
}

TEST(ConvDemo, NotebookPhotos) {
  const std::string data = test::data_dir();
  const fs::path images = fs::path(data) / "images";
  if (data.empty() || !fs::exists(images / "puppy.jpg") || !fs::exists(images / "kitten.jpg"))
    GTEST_SKIP() << "CONVLAB_DATA_DIR/images/{puppy,kitten}.jpg not found; set CONVLAB_DATA_DIR to the datasets folder";
  const auto dir = test::fresh_temp_dir("conv_demo_photos");
  const std::string out_png = (dir / "conv_image.png").string();
  const ConvImageDemo d =
      write_conv_image_demo(default_demo_image("puppy.jpg"), default_demo_image("kitten.jpg"), out_png);
  ASSERT_EQ(d.out.shape(), (Shape{2, 2, 200, 200}));
  expect_outputs_match_hand_computation(d, {{100, 100}, {0, 0}, {57, 143}, {199, 3}});

  const test::DecodedPng png = test::decode_png(out_png);
  ASSERT_EQ(png.width, 4 + 3 * 200 + 2 * 4 + 4);
  ASSERT_EQ(png.height, 4 + 2 * 200 + 4 + 4);
  EXPECT_GT(png.variance(), 100.0);
  // Each grayscale cell is scaled by its own min/max: it holds both 0 and 255.
  for (int row = 0; row < 2; ++row) {
    int lo = 255, hi = 0;
    for (int y = 0; y < 200; ++y)
      for (int x = 0; x < 200; ++x) {
        const int v = png.at(4 + row * 204 + y, 4 + 204 + x, 0);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    EXPECT_EQ(lo, 0) << "row " << row;
    EXPECT_EQ(hi, 255) << "row " << row;
  }
  test::keep_picture(out_png, "conv_image.png");
  std::string why;
  if (gnuplot_available(&why)) {
    const std::string titled = (dir / "conv_image_titled.png").string();
    write_conv_image_demo(default_demo_image("puppy.jpg"), default_demo_image("kitten.jpg"), titled, 200, true);
    EXPECT_EQ(test::decode_png(titled).width, 8 + 3 * 208);
    test::keep_picture(titled, "conv_image_titled.png");
  }
  fs::remove_all(dir);
}

TEST(ConvDemo, TitledPictureWithGnuplot) {
  std::string why;
  if (!gnuplot_available(&why)) GTEST_SKIP() << why;
  const auto dir = test::fresh_temp_dir("conv_demo_titled");
  Image a(40, 60, 3), b(40, 40, 3);
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 40; ++x)
      for (int c = 0; c < 3; ++c) {
        a.at(y, x + 10, c) = static_cast<uint8_t>((x * 6 + c * 80) % 256);
        b.at(y, x, c) = static_cast<uint8_t>(y < 20 ? 40 + c * 60 : 230 - c * 50);
      }
  write_png((dir / "a.png").string(), a);
  write_png((dir / "b.png").string(), b);
  const std::string out_png = (dir / "titled.png").string();
  write_conv_image_demo((dir / "a.png").string(), (dir / "b.png").string(), out_png, 40, true);
  // Cells of 100 pixels (the smallest), gaps of 8, a 24-pixel title strip per row.
  const test::DecodedPng png = test::decode_png(out_png);
  ASSERT_EQ(png.width, 8 + 3 * (100 + 8));
  ASSERT_EQ(png.height, 8 + 2 * (24 + 100 + 8));
  EXPECT_GT(png.variance(), 100.0);
  EXPECT_EQ(png.at(2, 2, 0), 255);  // white background
  // The title strip of the first row holds dark text; the second row has none.
  int dark_first = 0, dark_second = 0;
  for (int x = 0; x < png.width; ++x)
    for (int y = 8; y < 8 + 24; ++y) {
      dark_first += png.at(y, x, 0) < 128;
      dark_second += png.at(y + 132, x, 0) < 128;
    }
  EXPECT_GT(dark_first, 50);
  EXPECT_EQ(dark_second, 0);
  // Middle of the bottom-left cell: the second photo's lower half, (230, 180, 130).
  const int y = 8 + 132 + 24 + 75, x = 8 + 50;
  EXPECT_NEAR(png.at(y, x, 0), 230, 3);
  EXPECT_NEAR(png.at(y, x, 2), 130, 3);
  test::keep_picture(out_png, "conv_demo_titled_synthetic.png");
  fs::remove_all(dir);
}
