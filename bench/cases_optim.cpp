// Case of one update-rule step over all parameters of a model.
#include <memory>

#include "bench/case_builder.h"
#include "bench/cases.h"

namespace convlab::bench {

static int state_tensors(UpdateRule r) {
  switch (r) {
    case UpdateRule::sgd:
      return 0;
    case UpdateRule::sgd_momentum:
    case UpdateRule::rmsprop:
      return 1;
    case UpdateRule::adam:
    case UpdateRule::adamw:
      return 2;
  }
  return 0;
}

Case optim_case(const std::string& group, const std::string& model, const std::vector<Shape>& params, UpdateRule rule) {
  int64_t n = 0;
  for (const auto& s : params) n += shape_numel(s);
  Case c;
  c.op = "optim";
  c.group = group;
  c.shape = std::string(update_rule_name(rule)) + " " + model + " " + std::to_string(params.size()) + " tensors " +
            std::to_string(n) + " values";
  c.dims = {{"tensors", static_cast<int64_t>(params.size())}, {"numel", n}};
  c.work["step"] = {0, optim_bytes(n, state_tensors(rule))};
  c.set_bytes = static_cast<std::size_t>(c.work["step"].bytes);
  c.variants = registry_variants<OptimImpl>();
  c.make = [=](Device dev, const std::string& variant, int sets) {
    const OptimImpl impl = OpRegistry<OptimImpl>::get(dev, variant);
    OptimConfig cfg;
    cfg.rule = rule;
    std::vector<std::vector<ParamSlot>> ins;
    for (int s = 0; s < sets; ++s) {
      std::vector<ParamSlot> slots;
      uint64_t k = 64 * static_cast<uint64_t>(s);
      for (const auto& shape : params) {
        ParamSlot p;
        p.w = random_tensor(shape, dev, ++k, 0.1);
        p.dw = random_tensor(shape, dev, ++k, 0.01);
        slots.push_back(std::move(p));
      }
      ins.push_back(std::move(slots));
    }
    // Adam's step count advances with every call, as in training.
    auto t = std::make_shared<int64_t>(0);
    return single_pass<std::vector<ParamSlot>, int>("step", std::move(ins),
                                                    [impl, cfg, t](std::vector<ParamSlot>& slots) {
                                                      impl.step(slots, cfg, ++*t);
                                                      return 0;
                                                    });
  };
  return c;
}

}  // namespace convlab::bench
