// convlab: train, evaluate and inspect convnets (cs231n assignment 2 semantics).
#include <iostream>

#include "host/cli/commands.h"
#include "host/error.h"

int main(int argc, char** argv) {
  CLI::App app{"convlab: convnets with hand-written CUDA kernels and a CPU reference"};
  app.require_subcommand(1);
  const auto train = convlab::cli::add_train(app);
  const auto eval = convlab::cli::add_eval(app);
  const auto info = convlab::cli::add_info(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    const std::string name = app.get_subcommands().front()->get_name();
    if (name == "train") return train();
    if (name == "eval") return eval();
    return info();
  } catch (const convlab::Error& e) {
    std::cerr << "convlab: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "convlab: error: " << e.what() << "\n";
    return 2;
  }
}
