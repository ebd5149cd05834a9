#include "host/solver/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "host/config/json_reader.h"
#include "host/error.h"

namespace convlab {

namespace {

constexpr double kPi = 3.14159265358979323846;

// From 1 at q = 0 to `final` at q = 1.
double decay_multiplier(LrDecay d, double final, double q) {
  if (d == LrDecay::linear) return 1.0 + (final - 1.0) * q;
  return final + (1.0 - final) * 0.5 * (1.0 + std::cos(kPi * q));
}

double interpolate(const std::vector<std::pair<double, double>>& pts, double x) {
  if (x <= pts.front().first) return pts.front().second;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    if (x <= pts[i].first) {
      const auto& a = pts[i - 1];
      const auto& b = pts[i];
      return a.second + (b.second - a.second) * (x - a.first) / (b.first - a.first);
    }
  }
  return pts.back().second;
}

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

int64_t warmup_iterations(const LrSchedule& s, int64_t total, int64_t iterations_per_epoch) {
  if (s.type != LrScheduleType::warmup) return 0;
  const double w = s.warmup_epochs >= 0 ? s.warmup_epochs * static_cast<double>(iterations_per_epoch)
                                        : s.warmup * static_cast<double>(total);
  return std::clamp<int64_t>(std::llround(w), 0, total);
}

double lr_at(const LrSchedule& s, double base, int64_t t, int64_t total, int64_t iterations_per_epoch) {
  CONVLAB_CHECK(total >= 1 && iterations_per_epoch >= 1 && t >= 0,
                "lr_at: expected t >= 0, total >= 1 and iterations_per_epoch >= 1, got t = "
                    << t << ", total = " << total << ", iterations_per_epoch = " << iterations_per_epoch);
  const double p = static_cast<double>(t) / static_cast<double>(total);
  switch (s.type) {
    case LrScheduleType::step: {
      // One multiplication per finished epoch, as the Solver did in place.
      double lr = base;
      for (int64_t e = 0; e < t / iterations_per_epoch; ++e) lr = lr * s.lr_decay;
      return lr;
    }
    case LrScheduleType::constant:
      return base;
    case LrScheduleType::cosine:
      return base * decay_multiplier(LrDecay::cosine, s.final, p);
    case LrScheduleType::warmup: {
      const int64_t W = warmup_iterations(s, total, iterations_per_epoch);
      if (t < W) return base * (s.start + (1.0 - s.start) * static_cast<double>(t) / static_cast<double>(W));
      const double q = static_cast<double>(t - W) / static_cast<double>(total - W);
      return base * decay_multiplier(s.decay, s.final, q);
    }
    case LrScheduleType::piecewise_linear:
      return base * interpolate(s.points, p);
  }
  return base;
}

const char* lr_schedule_type_name(LrScheduleType t) {
  switch (t) {
    case LrScheduleType::step:
      return "step";
    case LrScheduleType::constant:
      return "constant";
    case LrScheduleType::cosine:
      return "cosine";
    case LrScheduleType::warmup:
      return "warmup";
    case LrScheduleType::piecewise_linear:
      return "piecewise_linear";
  }
  return "?";
}

std::string describe_lr_schedule(const LrSchedule& s, double base, int64_t total, int64_t iterations_per_epoch) {
  std::ostringstream os;
  os << lr_schedule_type_name(s.type) << ": ";
  switch (s.type) {
    case LrScheduleType::step:
      os << num(base);
      if (s.lr_decay != 1.0) os << ", x " << num(s.lr_decay) << " after every epoch (solver.lr_decay)";
      break;
    case LrScheduleType::constant:
      os << num(base);
      break;
    case LrScheduleType::cosine:
      os << num(base) << " -> " << num(base * s.final) << " (cosine)";
      break;
    case LrScheduleType::warmup: {
      const int64_t W = warmup_iterations(s, total, iterations_per_epoch);
      os << num(base * s.start) << " -> " << num(base) << " linearly over " << W << " iterations, then -> "
         << num(base * s.final) << " (" << (s.decay == LrDecay::linear ? "linear" : "cosine") << ")";
      break;
    }
    case LrScheduleType::piecewise_linear:
      os << "x";
      for (const auto& p : s.points) os << " (" << num(p.first) << ", " << num(p.second) << ")";
      os << " of " << num(base);
      break;
  }
  os << " over " << total << " iterations";
  return os.str();
}

nlohmann::json lr_schedule_json(const LrSchedule& s) {
  nlohmann::json j = {{"type", lr_schedule_type_name(s.type)}};
  switch (s.type) {
    case LrScheduleType::step:
    case LrScheduleType::constant:
      break;
    case LrScheduleType::cosine:
      j["final"] = s.final;
      break;
    case LrScheduleType::warmup:
      if (s.warmup_epochs >= 0)
        j["warmup_epochs"] = s.warmup_epochs;
      else
        j["warmup"] = s.warmup;
      j["start"] = s.start;
      j["decay"] = s.decay == LrDecay::linear ? "linear" : "cosine";
      j["final"] = s.final;
      break;
    case LrScheduleType::piecewise_linear: {
      nlohmann::json pts = nlohmann::json::array();
      for (const auto& p : s.points) pts.push_back({p.first, p.second});
      j["points"] = pts;
      break;
    }
  }
  return j;
}

LrSchedule parse_lr_schedule(config::JsonReader r, double lr_decay, bool lr_decay_given) {
  LrSchedule s;
  const std::string type =
      r.string("type", std::string("step"), {"step", "constant", "cosine", "warmup", "piecewise_linear"});
  for (auto t : {LrScheduleType::step, LrScheduleType::constant, LrScheduleType::cosine, LrScheduleType::warmup,
                 LrScheduleType::piecewise_linear})
    if (type == lr_schedule_type_name(t)) s.type = t;
  s.lr_decay = lr_decay;
  if (s.type != LrScheduleType::step && lr_decay_given && lr_decay != 1.0)
    throw Error("solver.lr_decay: " + num(lr_decay) + " is only used by lr_schedule type \"step\", not \"" + type +
                "\" (remove solver.lr_decay, or use type \"step\")");
  if (s.type == LrScheduleType::cosine) s.final = r.number("final", 0.0, 0.0, 1e3);
  if (s.type == LrScheduleType::warmup) {
    if (r.has("warmup") && r.has("warmup_epochs"))
      r.fail("warmup_epochs", "give either warmup (a fraction of the iterations) or warmup_epochs, not both");
    if (!r.has("warmup") && !r.has("warmup_epochs"))
      r.fail("warmup", "required: the fraction of the iterations spent warming up (or give warmup_epochs)");
    if (r.has("warmup_epochs"))
      s.warmup_epochs = r.number("warmup_epochs", std::nullopt, 0.0, 1e5);
    else
      s.warmup = r.number("warmup", std::nullopt, 0.0, 1.0);
    s.start = r.number("start", 0.0, 0.0, 1e3);
    s.decay =
        r.string("decay", std::string("linear"), {"linear", "cosine"}) == "linear" ? LrDecay::linear : LrDecay::cosine;
    s.final = r.number("final", 0.0, 0.0, 1e3);
  }
  if (s.type == LrScheduleType::piecewise_linear) {
    const nlohmann::json& pts = r.value("points");
    const std::string path = r.path_of("points");
    if (!pts.is_array() || pts.size() < 2)
      r.fail("points", "expected a list of at least two [x, y] points, e.g. [[0, 0.2], [0.23, 1], [1, 0.07]], got " +
                           config::json_brief(pts));
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const nlohmann::json& p = pts[i];
      const std::string at = path + "[" + std::to_string(i) + "]";
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
        throw Error(at + ": expected a point [x, y] of two numbers, got " + config::json_brief(p));
      const double x = p[0].get<double>(), y = p[1].get<double>();
      if (!(x >= 0.0 && x <= 1.0))
        throw Error(at + ": x (the fraction of the run) must be in [0, 1], got " + config::json_brief(p[0]));
      if (!(std::isfinite(y) && y >= 0.0 && y <= 1e3))
        throw Error(at + ": y (the multiplier of the learning rate) must be in [0, 1000], got " +
                    config::json_brief(p[1]));
      if (i > 0 && !(x > s.points.back().first))
        throw Error(at + ": x must increase from point to point, got " + num(x) + " after " +
                    num(s.points.back().first));
      s.points.emplace_back(x, y);
    }
    if (s.points.front().first != 0.0)
      throw Error(path + "[0]: the first point must be at x = 0 (the start of the run), got " +
                  num(s.points.front().first));
    if (s.points.back().first != 1.0)
      throw Error(path + "[" + std::to_string(pts.size() - 1) +
                  "]: the last point must be at x = 1 (the end of the run), got " + num(s.points.back().first));
  }
  r.finish();
  return s;
}

}  // namespace convlab
