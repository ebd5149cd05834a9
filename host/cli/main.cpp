// convlab: train, evaluate and inspect convnets (cs231n assignment 2 semantics).
// Under mpirun or srun every process runs this main: `train` trains data-parallel
// (docs/distributed.md); rank 0 alone prints.
#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <string>

#include "host/cli/commands.h"
#include "host/dist/communicator.h"
#include "host/error.h"
#include "host/threads.h"

namespace {

// An error on one rank of several ends the whole job (MPI_Abort), so that no
// peer waits in a collective for it; an error the ranks agreed on
// (dist::SharedError) is printed once and every rank exits with status 2.
int fail(const std::exception& e) {
  namespace dist = convlab::dist;
  if (dynamic_cast<const dist::SharedError*>(&e) != nullptr) {
    if (*e.what() != '\0') std::cerr << "convlab: error: " << e.what() << "\n";
    return 2;
  }
  if (!dist::distributed()) {
    std::cerr << "convlab: error: " << e.what() << "\n";
    return 2;
  }
  std::cerr << "convlab: error (" << dist::rank_name() << "): " << e.what() << "\n";
  std::cerr.flush();
  dist::world().abort(2);
  return 2;  // not reached: abort() ends the process
}

}  // namespace

int main(int argc, char** argv) {
  try {
    convlab::dist::init_world(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "convlab: error: " << e.what() << "\n";
    return 2;
  }
  CLI::App app{"convlab: convnets with hand-written CUDA kernels and a CPU reference"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads,
                 "CPU threads for the fast CPU ops (default: all cores, shared out among the ranks on a machine)")
      ->check(CLI::Range(0, 4096));
  // Each subcommand's name and the function that runs it.
  const std::map<std::string, std::function<int()>> commands = {
      {"train", convlab::cli::add_train(app)},
      {"eval", convlab::cli::add_eval(app)},
      {"info", convlab::cli::add_info(app)},
      {"demo", convlab::cli::add_demo(app)},
      {"plot", convlab::cli::add_plot(app)},
      {"plot-bench", convlab::cli::add_plot_bench(app)},
      {"viz-filters", convlab::cli::add_viz_filters(app)},
  };
  int rc = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same command line: rank 0 says what is wrong.
    rc = convlab::dist::world().rank() == 0 ? app.exit(e) : e.get_exit_code();
    convlab::dist::finalize_world();
    return rc;
  }
  try {
    convlab::dist::Communicator& comm = convlab::dist::world();
    if (threads > 0)
      convlab::set_num_threads(threads);
    else if (comm.local_size() > 1)
      convlab::set_num_threads(std::max(1, convlab::hardware_threads() / comm.local_size()));
    const std::string name = app.get_subcommands().front()->get_name();
    // Only `train` runs on every rank; the other commands run on rank 0.
    rc = name != "train" && comm.rank() != 0 ? 0 : commands.at(name)();
  } catch (const std::exception& e) {
    rc = fail(e);
  }
  convlab::dist::finalize_world();
  return rc;
}
