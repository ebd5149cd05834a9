// cs231n's visualize_grid: layout, per-filter scaling, padding, PNG output.
#include <cmath>
#include <filesystem>

#include "host/solver/safetensors.h"
#include "host/viz/visualize_grid.h"
#include "picture_test_util.h"
#include "test_util.h"

using namespace convlab;
namespace fs = std::filesystem;

namespace {

// (F, C, H, W) with filter f, element i = f * 100 + i, except that filter 2 is constant.
Tensor filters(int F, int C, int H, int W) {
  Tensor t({F, C, H, W}, DType::f32);
  const int per = C * H * W;
  for (int f = 0; f < F; ++f)
    for (int i = 0; i < per; ++i) t.set_item(f * per + i, f == 2 ? 4.0 : f * 100.0 + i);
  return t;
}

}  // namespace

TEST(VisualizeGrid, LayoutScalingAndPadding) {
  // 5 filters 3x2x2 -> a 3x3 grid of 2x2 cells with 1 pixel of padding: 8x8 RGB.
  const Image g = visualize_grid(filters(5, 3, 2, 2));
  ASSERT_EQ(g.height, 8);
  ASSERT_EQ(g.width, 8);
  ASSERT_EQ(g.channels, 3);
  for (int i = 0; i < 8; ++i)
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(g.at(2, i, c), 0) << "padding row, x = " << i;
      EXPECT_EQ(g.at(i, 5, c), 0) << "padding column, y = " << i;
    }
  // Filter 0 holds 0..11 in (C, H, W) order: element (c, y, x) = c * 4 + y * 2 + x,
  // scaled by 255 / 11 and truncated.
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 2; ++x) EXPECT_EQ(g.at(y, x, c), static_cast<int>(255.0 * (c * 4 + y * 2 + x) / 11.0));
  EXPECT_EQ(g.at(1, 1, 2), 255);
  // Filter 1 (cell row 0, column 1, starting at x = 3) scales by its own min/max: same picture.
  EXPECT_EQ(g.at(1, 4, 1), g.at(1, 1, 1));
  // Filter 2 is constant: black cell (cell row 0, column 2).
  for (int y = 0; y < 2; ++y)
    for (int x = 6; x < 8; ++x) EXPECT_EQ(g.at(y, x, 0), 0);
  // Filter 3 is cell row 1, column 0 (y from 3); filters 5..8 do not exist: black.
  EXPECT_EQ(g.at(4, 1, 2), 255);
  for (int y = 6; y < 8; ++y)
    for (int x = 0; x < 8; ++x) EXPECT_EQ(g.at(y, x, 1), 0);
}

TEST(VisualizeGrid, GrayFiltersAndOptions) {
  const Image g = visualize_grid(filters(4, 1, 3, 3), 100.0, 2);
  ASSERT_EQ(g.channels, 1);
  ASSERT_EQ(g.height, 2 * 3 + 2);
  EXPECT_EQ(g.at(2, 2, 0), 100);  // ubound
  EXPECT_EQ(g.at(0, 0, 0), 0);
  EXPECT_EQ(g.at(0, 1, 0), 12);  // 100 * 1 / 8 truncated
  EXPECT_EQ(g.at(3, 0, 0), 0);   // padding rows 3 and 4
  EXPECT_EQ(g.at(4, 7, 0), 0);
}

TEST(VisualizeGrid, RejectsBadShapes) {
  EXPECT_THROW(visualize_grid(Tensor({2, 2, 3, 3})), Error);  // 2 channels
  EXPECT_THROW(visualize_grid(Tensor({2, 3, 3})), Error);
  EXPECT_THROW(visualize_grid(Tensor({0, 3, 3, 3})), Error);
  EXPECT_THROW(visualize_grid(filters(2, 3, 2, 2), 255.0, -1), Error);
}

TEST(VisualizeGrid, WritesThePngOfACheckpointsW1) {
  const auto dir = test::fresh_temp_dir("viz_filters");
  const std::string ckpt = (dir / "model.safetensors").string();
  // 32 filters 3x7x7 as the notebook's ThreeLayerConvNet: smooth colour patterns.
  const int F = 32, C = 3, K = 7;
  Tensor w({F, C, K, K}, DType::f32);
  for (int f = 0; f < F; ++f)
    for (int c = 0; c < C; ++c)
      for (int y = 0; y < K; ++y)
        for (int x = 0; x < K; ++x)
          w.set_item(((f * C + c) * K + y) * K + x,
                     std::sin(0.3 * f + c + 0.5 * (f % 4 + 1) * x) * std::cos(0.2 * (f % 5) * y + c));
  save_safetensors(ckpt, {{"W1", w}, {"b1", Tensor({F}, DType::f32)}});
  const std::string out = (dir / "filters.png").string();
  const Image written = write_filter_grid_png(ckpt, out, "W1", 0);
  // 6x6 cells of 7 plus 5 paddings = 47 pixels, scaled by 400 / 47 = 8.
  const test::DecodedPng png = test::decode_png(out);
  ASSERT_EQ(png.width, 47 * 8);
  ASSERT_EQ(png.height, 47 * 8);
  EXPECT_EQ(png.channels, 3);
  EXPECT_EQ(png.pixels, written.pixels);
  EXPECT_GT(png.variance(), 100.0);
  // Padding column after the first cell (grid x = 7) is black in every row of the picture.
  for (int y = 0; y < png.height; ++y) EXPECT_EQ(png.at(y, 7 * 8 + 3, 0), 0);
  // Cells 32..35 are empty: the last row's last four cells are black.
  EXPECT_EQ(png.at(45 * 8, 45 * 8, 1), 0);
  try {
    write_filter_grid_png(ckpt, out, "W2");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has no tensor 'W2' (it has: W1, b1)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(write_filter_grid_png(ckpt, out, "b1"), Error);  // not (F, C, H, W)
  test::keep_picture(out, "viz_filters.png");
  fs::remove_all(dir);
}
