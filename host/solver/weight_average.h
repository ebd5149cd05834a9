// Weight averaging of a training run ("solver.weight_averaging", docs/config.md):
//
//   ema        every `every` steps: avg = d * avg + (1 - d) * w, with d = decay
//              (warmup: d = min(decay, (1 + u) / (10 + u)), u the number of
//              updates so far, 1 at the first). Training goes on with the raw
//              weights w.
//   lookahead  airbench's: every `every` steps t (steps done, 1-based),
//              d_t = decay^every * (t / total)^decay_power, avg = d_t * avg +
//              (1 - d_t) * w, then w := avg; after the last step of the run
//              w := avg.
//
// The average covers model.state(): the parameters and the buffers (batchnorm
// running statistics); it starts as a copy of the weights before the first
// step. The Solver evaluates the averaged weights at its checks, keeps them as
// the best state and loads them at the end; --resume restores them from the
// "average.<name>" tensors of last.safetensors. The update is lerp_
// (host/solver/lerp.h): one elementwise pass on the model's device.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "host/tensor.h"

namespace convlab {

class Model;
namespace config {
class JsonReader;
}

struct WeightAveragingConfig {
  enum class Type { none, ema, lookahead };
  Type type = Type::none;
  double decay = 0.999;      // ema; lookahead default 0.95
  int64_t every = 1;         // ema; lookahead default 5
  bool warmup = false;       // ema only
  double decay_power = 3.0;  // lookahead only
};

const char* weight_averaging_name(WeightAveragingConfig::Type t);
// Reads "solver.weight_averaging" (`r` is that object): type and the keys of
// that type, validated; keys of the other type are rejected naming it.
WeightAveragingConfig parse_weight_averaging(config::JsonReader r);
// The resolved object (defaults filled in) for config.json.
nlohmann::json weight_averaging_json(const WeightAveragingConfig& c);

class WeightAverage {
 public:
  explicit WeightAverage(WeightAveragingConfig config = {}) : config_(config) {}

  bool active() const { return config_.type != WeightAveragingConfig::Type::none; }
  const WeightAveragingConfig& config() const { return config_; }

  // Starts the average as a copy of the model's state (before the first
  // step); does nothing when inactive or when it already holds one (resumed).
  void start(Model& model);
  // After training step `steps_done` (1-based) of `total_steps`: the update
  // of the type, if due (and lookahead's reset of the weights, and its final
  // w := avg after the last step).
  void after_step(Model& model, int64_t steps_done, int64_t total_steps);

  // The decay of a lookahead update at step t of total.
  static double lookahead_decay(const WeightAveragingConfig& c, int64_t t, int64_t total);
  // The decay of the u-th (1-based) ema update.
  static double ema_decay(const WeightAveragingConfig& c, int64_t u);

  // The averaged state by name (empty before start()).
  const std::map<std::string, Tensor>& average() const { return avg_; }
  // Resume: the average as saved (on any device; copied to the model's).
  void restore(const std::map<std::string, Tensor>& avg, Device device);

 private:
  void update(Model& model, double decay);  // avg = decay * avg + (1 - decay) * w

  WeightAveragingConfig config_;
  std::map<std::string, Tensor> avg_;
};

}  // namespace convlab
