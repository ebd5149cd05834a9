// convlab info: devices and registered op variants.
#include <iostream>

#include "host/cli/commands.h"
#include "host/run/evaluate.h"

namespace convlab::cli {

std::function<int()> add_info(CLI::App& app) {
  app.add_subcommand("info", "Show the build, the devices and the registered variants of every op");
  return []() {
    info_command(std::cout);
    return 0;
  };
}

}  // namespace convlab::cli
