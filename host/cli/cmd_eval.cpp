// convlab eval CHECKPOINT [--split test|val|train|all] [--tta none|mirror|mirror_translate] [--device ..] [--data DIR]
#include <iostream>
#include <memory>

#include "host/cli/commands.h"
#include "host/run/evaluate.h"

namespace convlab::cli {

std::function<int()> add_eval(CLI::App& app) {
  auto checkpoint = std::make_shared<std::string>();
  auto opt = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a checkpoint (best.safetensors or its run folder)");
  cmd->add_option("checkpoint", *checkpoint, "best.safetensors of a run, or the run folder")->required();
  cmd->add_option("--split", opt->split, "test (default), val, train or all")
      ->check(CLI::IsMember({"test", "val", "train", "all"}));
  cmd->add_option("--device", opt->device, "cpu, cuda or auto (default auto)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  cmd->add_option("--tta", opt->tta, "Test-time augmentation: none (default), mirror or mirror_translate")
      ->check(CLI::IsMember({"none", "mirror", "mirror_translate"}));
  cmd->add_option("--data", opt->data_path, "Folder of the CIFAR-10 .bin files (default: as in the run's config)");
  return [checkpoint, opt]() {
    eval_command(*checkpoint, *opt, std::cout);
    return 0;
  };
}

}  // namespace convlab::cli
