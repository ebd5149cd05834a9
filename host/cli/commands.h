// The subcommands of the `convlab` tool, one file each (CLI11).
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace convlab::cli {

// Each adds its subcommand to `app` and returns the function that runs it
// (returning the process exit status).
std::function<int()> add_train(CLI::App& app);
std::function<int()> add_eval(CLI::App& app);
std::function<int()> add_info(CLI::App& app);

}  // namespace convlab::cli
