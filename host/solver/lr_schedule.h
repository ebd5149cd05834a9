// Per-iteration learning-rate schedules ("solver.lr_schedule", docs/config.md).
//
// A schedule is a pure function of the iteration: lr_at(s, base, t, T, ipe)
// is the learning rate of iteration t (0-based, t < T) of a run of T
// iterations with ipe iterations per epoch, as a multiple of the base
// learning rate (solver.optim_config.learning_rate). With p = t / T:
//   step              base * lr_decay^floor(t / ipe): cs231n's per-epoch decay
//                     (the default; the product is taken one epoch at a time,
//                     as the Solver always did, so the numbers do not change)
//   constant          base
//   cosine            base * (final + (1 - final) * (1 + cos(pi p)) / 2)
//   warmup            W = round(warmup * T) (or round(warmup_epochs * ipe))
//                     warm-up iterations, t < W: base * (start + (1 - start) t / W);
//                     then, with q = (t - W) / (T - W), "linear":
//                     base * (1 + (final - 1) q), "cosine":
//                     base * (final + (1 - final) (1 + cos(pi q)) / 2)
//   piecewise_linear  base * the linear interpolation of points (x, y) at x = p
//                     (airbench's triangle: [[0, 0.2], [0.23, 1], [1, 0.07]])
// The Solver sets the optimiser's learning rate from it before every iteration.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace convlab {

namespace config {
class JsonReader;
}

enum class LrScheduleType { step, constant, cosine, warmup, piecewise_linear };
enum class LrDecay { linear, cosine };

struct LrSchedule {
  LrScheduleType type = LrScheduleType::step;
  double lr_decay = 1.0;      // step: the factor applied after every epoch
  double final = 0.0;         // cosine, warmup: the last multiplier of the base lr
  double warmup = 0.0;        // warmup: fraction of the iterations spent warming up...
  double warmup_epochs = -1;  // ...or, when >= 0, that many epochs (takes the place of warmup)
  double start = 0.0;         // warmup: the multiplier at iteration 0
  LrDecay decay = LrDecay::linear;
  std::vector<std::pair<double, double>> points;  // piecewise_linear: (fraction of the run, multiplier)
};

// The learning rate of iteration t of T (ipe iterations per epoch).
double lr_at(const LrSchedule& s, double base, int64_t t, int64_t total, int64_t iterations_per_epoch);
// The number of warm-up iterations of a warmup schedule (0 for the others).
int64_t warmup_iterations(const LrSchedule& s, int64_t total, int64_t iterations_per_epoch);

const char* lr_schedule_type_name(LrScheduleType t);
// One line for the start-up output, e.g. "cosine from 0.01 to 0.0001 over 1000 iterations".
std::string describe_lr_schedule(const LrSchedule& s, double base, int64_t total, int64_t iterations_per_epoch);
// The schedule as it appears in the resolved config (lr_decay not included: it stays solver.lr_decay).
nlohmann::json lr_schedule_json(const LrSchedule& s);
// Reads "solver.lr_schedule" (r: that object; absent = {"type": "step"}) and
// validates it. lr_decay is solver.lr_decay, already read; given with a
// schedule other than step (lr_decay_given), it is an error.
LrSchedule parse_lr_schedule(config::JsonReader r, double lr_decay, bool lr_decay_given);

}  // namespace convlab
