// convlab viz-filters CHECKPOINT [--name W1] [--out F] [--scale N]
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "host/cli/commands.h"
#include "host/viz/visualize_grid.h"

namespace convlab::cli {

namespace fs = std::filesystem;

std::function<int()> add_viz_filters(CLI::App& app) {
  auto ckpt = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>("W1");
  auto out = std::make_shared<std::string>();
  auto scale = std::make_shared<int>(0);
  CLI::App* cmd = app.add_subcommand(
      "viz-filters", "Picture of a conv layer's filters (cs231n visualize_grid) from a safetensors checkpoint");
  cmd->add_option("checkpoint", *ckpt, "A .safetensors file, or a run folder (its best.safetensors)")->required();
  cmd->add_option("--name", *name, "Tensor to show, (F, C, H, W) with C = 1 or 3 (default: W1)");
  cmd->add_option("--out", *out, "PNG file (default: filters_<name>.png beside the checkpoint)");
  cmd->add_option("--scale", *scale, "Pixels per filter pixel (default: 0, about 400 pixels wide)")
      ->check(CLI::Range(0, 64));
  return [ckpt, name, out, scale]() {
    const std::string file = fs::is_directory(*ckpt) ? (fs::path(*ckpt) / "best.safetensors").string() : *ckpt;
    const std::string png =
        out->empty() ? (fs::path(file).parent_path() / ("filters_" + *name + ".png")).string() : *out;
    const Image img = write_filter_grid_png(file, png, *name, *scale);
    std::cout << "Wrote " << png << " (" << img.width << "x" << img.height << ")\n";
    return 0;
  };
}

}  // namespace convlab::cli
