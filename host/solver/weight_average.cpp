#include "host/solver/weight_average.h"

#include <algorithm>
#include <cmath>

#include "host/config/json_reader.h"
#include "host/solver/lerp.h"
#include "models/model.h"

namespace convlab {

using Type = WeightAveragingConfig::Type;

const char* weight_averaging_name(Type t) {
  switch (t) {
    case Type::none:
      return "none";
    case Type::ema:
      return "ema";
    case Type::lookahead:
      return "lookahead";
  }
  return "?";
}

WeightAveragingConfig parse_weight_averaging(config::JsonReader r) {
  WeightAveragingConfig c;
  const std::string type = r.string("type", std::string("none"), {"none", "ema", "lookahead"});
  if (type == "none") {
    r.finish();
    return c;
  }
  c.type = type == "ema" ? Type::ema : Type::lookahead;
  if (c.type == Type::lookahead) {
    c.decay = 0.95;
    c.every = 5;
  }
  c.decay = r.number("decay", c.decay, 0.0, 1.0);
  c.every = r.integer("every", c.every, 1, 1LL << 40);
  if (c.type == Type::ema) c.warmup = r.boolean("warmup", c.warmup);
  if (c.type == Type::lookahead) c.decay_power = r.number("decay_power", c.decay_power, 0.0, 100.0);
  // An average that never moves would be evaluated and kept as the result:
  // the initial weights.
  if (c.decay == 1.0 && (c.type == Type::ema || c.decay_power == 0.0))
    r.fail("decay", std::string("1 keeps the average at the initial weights") +
                        (c.type == Type::ema ? "" : " with decay_power 0") + "; expected a value below 1");
  for (const char* key : {"warmup", "decay_power"})
    if (r.contains(key) && !r.is_known(key))
      r.fail(key, std::string("not used by type \"") + type + "\" (only by " +
                      (std::string(key) == "warmup" ? "ema" : "lookahead") + ")");
  r.finish();
  return c;
}

nlohmann::json weight_averaging_json(const WeightAveragingConfig& c) {
  nlohmann::json j = {{"type", weight_averaging_name(c.type)}};
  if (c.type == Type::none) return j;
  j["decay"] = c.decay;
  j["every"] = c.every;
  if (c.type == Type::ema) j["warmup"] = c.warmup;
  if (c.type == Type::lookahead) j["decay_power"] = c.decay_power;
  return j;
}

double WeightAverage::lookahead_decay(const WeightAveragingConfig& c, int64_t t, int64_t total) {
  const double frac = total > 0 ? static_cast<double>(t) / static_cast<double>(total) : 1.0;
  return std::pow(c.decay, static_cast<double>(c.every)) * std::pow(frac, c.decay_power);
}

double WeightAverage::ema_decay(const WeightAveragingConfig& c, int64_t u) {
  if (!c.warmup) return c.decay;
  return std::min(c.decay, (1.0 + static_cast<double>(u)) / (10.0 + static_cast<double>(u)));
}

void WeightAverage::start(Model& model) {
  if (!active() || !avg_.empty()) return;
  for (const auto& kv : model.state()) avg_[kv.first] = kv.second.clone();
}

void WeightAverage::update(Model& model, double decay) {
  for (const auto& kv : model.state()) {
    auto it = avg_.find(kv.first);
    CONVLAB_CHECK(it != avg_.end(), "weight averaging: no average of " << kv.first << " (was the model changed?)");
    if (kv.second.dtype() == DType::f32 || kv.second.dtype() == DType::f64)
      lerp_(it->second, kv.second, 1.0 - decay);
    else
      it->second.copy_from(kv.second);  // counters and other integer buffers: the latest value
  }
}

void WeightAverage::after_step(Model& model, int64_t steps_done, int64_t total_steps) {
  if (!active()) return;
  start(model);
  const bool due = steps_done % config_.every == 0;
  if (config_.type == Type::ema) {
    if (due) update(model, ema_decay(config_, steps_done / config_.every));
    return;
  }
  if (due) update(model, lookahead_decay(config_, steps_done, total_steps));
  // Lookahead: the weights go on from the average, after every update and
  // after the last step (airbench's final update with decay 1).
  if (due || steps_done == total_steps) model.load_state(avg_);
}

void WeightAverage::restore(const std::map<std::string, Tensor>& avg, Device device) {
  avg_.clear();
  for (const auto& kv : avg) avg_[kv.first] = kv.second.to(device).clone();
}

}  // namespace convlab
