// `convlab eval CHECKPOINT`: rebuilds the model from the checkpoint's stored
// config, loads its parameters and reports the metric on the test (and val)
// split of the data the config names, without and with test-time augmentation
// (--tta).
#pragma once
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

namespace convlab {

struct EvalOptions {
  std::string device;          // "" = auto
  std::string data_path;       // "" = the path stored in the checkpoint's config, then the usual search
  std::string split = "test";  // test, val, train or all
  std::string tta = "none";    // none, mirror or mirror_translate (host/solver/tta.h)
};

// Returns {"val": .., "test": ..} (the splits evaluated) and prints them;
// with a test-time augmentation also "val_tta", "test_tta", ... and "tta".
nlohmann::json eval_command(const std::string& checkpoint, const EvalOptions& options, std::ostream& out);

// `convlab info`: build, devices and the registered variants of every op.
void info_command(std::ostream& out);

}  // namespace convlab
