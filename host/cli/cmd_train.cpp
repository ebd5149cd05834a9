// convlab train CONFIG [--set k=v]... [--device cpu|cuda|auto] [--out DIR [--overwrite]] [--resume RUN_DIR]
// (run folders: docs/run-folders.md)
#include <iostream>
#include <memory>

#include "host/cli/commands.h"
#include "host/run/train.h"

namespace convlab::cli {

std::function<int()> add_train(CLI::App& app) {
  auto config = std::make_shared<std::string>();
  auto opt = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train a model described by a JSON config (docs/config.md)");
  cmd->add_option("config", *config, "Config file, e.g. configs/overfit_small.json");
  cmd->add_option("--set", opt->overrides, "Override a config value, e.g. --set solver.num_epochs=2 (repeatable)")
      ->take_all();
  cmd->add_option("--device", opt->device, "cpu, cuda or auto (default: the config's device, auto)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  cmd->add_option("--out", opt->out_dir,
                  "Run folder (default: <output.dir>/<name>-<UTC time>); must be new or empty unless --overwrite");
  cmd->add_flag("--overwrite", opt->overwrite,
                "Replace the run or sweep already in --out DIR (refused if DIR holds files convlab did not write)");
  cmd->add_option("--resume", opt->resume_dir, "Continue the run in RUN_DIR after its last finished epoch");
  return [config, opt]() { return train_command(*config, *opt, std::cout); };
}

}  // namespace convlab::cli
