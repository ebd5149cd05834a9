// Names of the update rules, as the JSON configs and the CLI spell them.
#include "host/ops/optim/optim.h"

namespace convlab {

namespace {
constexpr UpdateRule kRules[] = {UpdateRule::sgd, UpdateRule::sgd_momentum, UpdateRule::rmsprop, UpdateRule::adam,
                                 UpdateRule::adamw};
}

const char* update_rule_name(UpdateRule r) {
  switch (r) {
    case UpdateRule::sgd:
      return "sgd";
    case UpdateRule::sgd_momentum:
      return "sgd_momentum";
    case UpdateRule::rmsprop:
      return "rmsprop";
    case UpdateRule::adam:
      return "adam";
    case UpdateRule::adamw:
      return "adamw";
  }
  return "?";
}

const char* weight_decay_mode_name(WeightDecayMode m) {
  return m == WeightDecayMode::decoupled ? "decoupled" : "coupled";
}

UpdateRule parse_update_rule(const std::string& s) {
  std::string known;
  for (UpdateRule r : kRules) {
    if (s == update_rule_name(r)) return r;
    known += (known.empty() ? "" : ", ") + std::string(update_rule_name(r));
  }
  throw Error("update rule: unknown rule '" + s + "' (known: " + known + ")");
}

}  // namespace convlab
