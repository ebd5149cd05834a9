// Filter grid picture (cs231n vis_utils.visualize_grid) and its PNG writer.
#include "host/viz/visualize_grid.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "host/error.h"
#include "host/image/image_tensor.h"
#include "host/solver/safetensors.h"

namespace convlab {

Image visualize_grid(const Tensor& filters, double ubound, int padding) {
  filters.expect_ndim("visualize_grid: filters (F, C, H, W)", 4);
  const int64_t F = filters.dim(0), C = filters.dim(1), H = filters.dim(2), W = filters.dim(3);
  CONVLAB_CHECK(
      F > 0 && H > 0 && W > 0 && (C == 1 || C == 3),
      "visualize_grid: expected (F, C, H, W) with F, H, W > 0 and C = 1 or 3, got " << shape_str(filters.shape()));
  CONVLAB_CHECK(padding >= 0, "visualize_grid: padding must be >= 0, got " << padding);
  const std::vector<double> v = filters.to(Device::cpu).to_vector();
  std::vector<Image> cells;
  for (int64_t f = 0; f < F; ++f)
    cells.push_back(scale_chw_to_u8(v.data() + f * C * H * W, static_cast<int>(C), static_cast<int>(H),
                                    static_cast<int>(W), ubound));
  const int grid_size = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(F))));
  // Blank cells fill the square grid as in cs231n, whose grid is always square.
  const Image blank(static_cast<int>(H), static_cast<int>(W), static_cast<int>(C), 0);
  cells.resize(static_cast<size_t>(grid_size) * grid_size, blank);
  return tile_images(cells, grid_size, padding, 0, 0);
}

Image write_filter_grid_png(const std::string& checkpoint, const std::string& out_png, const std::string& name,
                            int scale) {
  CONVLAB_CHECK(scale >= 0, "write_filter_grid_png: scale must be >= 0, got " << scale);
  const SafeTensors st = load_safetensors(checkpoint);
  auto it = st.tensors.find(name);
  if (it == st.tensors.end()) {
    std::string known;
    for (const auto& kv : st.tensors) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error("viz-filters: " + checkpoint + " has no tensor '" + name + "' (it has: " + known + ")");
  }
  Image grid = visualize_grid(it->second);
  if (scale == 0) scale = std::max(1, 400 / grid.width);
  grid = scale_nearest(grid, scale);
  write_png(out_png, grid);
  return grid;
}

}  // namespace convlab
