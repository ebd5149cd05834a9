// convlab: train, evaluate and inspect convnets (cs231n assignment 2 semantics).
#include <iostream>

#include "host/cli/commands.h"
#include "host/error.h"
#include "host/threads.h"

int main(int argc, char** argv) {
  CLI::App app{"convlab: convnets with hand-written CUDA kernels and a CPU reference"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "CPU threads for the fast CPU ops (default: all cores)")
      ->check(CLI::Range(0, 4096));
  const auto train = convlab::cli::add_train(app);
  const auto eval = convlab::cli::add_eval(app);
  const auto info = convlab::cli::add_info(app);
  const auto demo = convlab::cli::add_demo(app);
  const auto plot = convlab::cli::add_plot(app);
  const auto plot_bench = convlab::cli::add_plot_bench(app);
  const auto viz_filters = convlab::cli::add_viz_filters(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (threads > 0) convlab::set_num_threads(threads);
    const std::string name = app.get_subcommands().front()->get_name();
    if (name == "train") return train();
    if (name == "eval") return eval();
    if (name == "demo") return demo();
    if (name == "plot") return plot();
    if (name == "plot-bench") return plot_bench();
    if (name == "viz-filters") return viz_filters();
    return info();
  } catch (const convlab::Error& e) {
    std::cerr << "convlab: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "convlab: error: " << e.what() << "\n";
    return 2;
  }
}
