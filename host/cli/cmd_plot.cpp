// convlab plot RUN_DIR... [--out DIR]
// convlab plot-bench BENCH_JSON [--out F] [--device D] [--op OP]
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "host/cli/commands.h"
#include "host/plot/bench_chart.h"
#include "host/plot/training_plots.h"

namespace convlab::cli {

namespace fs = std::filesystem;

std::function<int()> add_plot(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "plot",
      "Training figures from run folders (history.json) or sweep folders: training.png for one run, "
      "comparison.png, weight_scale_sweep.png and batch_size_<norm>.png for several (needs gnuplot)");
  cmd->add_option("runs", *paths, "Run or sweep folders")->required();
  cmd->add_option("--out", *out, "Folder for the PNG files (default: the folder given when one, else .)");
  return [paths, out]() {
    const std::string dir = !out->empty() ? *out : paths->size() == 1 ? (*paths)[0] : std::string(".");
    fs::create_directories(dir);
    for (const std::string& f : plot_runs(read_runs(*paths), dir)) std::cout << "Wrote " << f << "\n";
    return 0;
  };
}

std::function<int()> add_plot_bench(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto filter = std::make_shared<BenchFilter>();
  CLI::App* cmd = app.add_subcommand("plot-bench",
                                     "Benchmark chart: speedup of each variant over its baseline and time relative to "
                                     "cuDNN/cuBLAS, from a bench JSON file (needs gnuplot)");
  cmd->add_option("bench_json", *file, "convlab_kernel_bench --json output or a bench/results file")->required();
  cmd->add_option("--out", *out, "PNG file (default: the JSON file's name with .png)");
  cmd->add_option("--device", filter->device, "Only rows of this device (cpu, cuda)");
  cmd->add_option("--op", filter->op, "Only rows whose op starts with this, e.g. conv");
  return [file, out, filter]() {
    const std::string png = out->empty() ? fs::path(*file).replace_extension(".png").string() : *out;
    const BenchResults b = read_bench_json(*file);
    plot_bench(b, png, *filter);
    std::cout << "Wrote " << png;
    if (b.rows_left_out > 0) std::cout << " (" << b.rows_left_out << " rows with errors left out)";
    std::cout << "\n";
    return 0;
  };
}

}  // namespace convlab::cli
