#include "host/solver/solver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <optional>
#include <ostream>

namespace convlab {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}
// A parameter that an iteration updates, with its gradient and its plan settings.
struct TrainedParam {
  std::string name;
  Tensor value, grad;
  ParamSettings settings;
};

// The parameters iteration `it` (0-based) updates (frozen ones left out), by
// name: the same order on every rank. A missing gradient is an error.
std::vector<TrainedParam> trained_params(Model& model, const ParamPlan& plan, int64_t it) {
  const auto grads = model.grads();
  std::vector<TrainedParam> out;
  for (auto& kv : model.params()) {
    const auto settings = plan.find(kv.first);
    const ParamSettings ps = settings == plan.end() ? ParamSettings{} : settings->second;
    if (!ps.updated_at(it)) continue;
    auto g = grads.find(kv.first);
    CONVLAB_CHECK(g != grads.end() && g->second.defined(), "Solver: no gradient for parameter " << kv.first);
    out.push_back({kv.first, kv.second, g->second, ps});
  }
  return out;
}
}  // namespace

Solver::Solver(Model& model, Dataset train, Dataset val, SolverOptions options, NumpyRandom& rng, std::ostream& out)
    : model_(model),
      train_(std::move(train)),
      val_(std::move(val)),
      opt_(options),
      optim_(options.optim),
      rng_(rng),
      out_(out),
      average_(options.averaging) {
  CONVLAB_CHECK(train_.size() > 0, "Solver: the training set is empty");
  CONVLAB_CHECK(val_.size() > 0, "Solver: the validation set is empty (set data.num_validation >= 1)");
  CONVLAB_CHECK(opt_.batch_size >= 1 && opt_.print_every >= 1, "Solver: batch_size and print_every must be >= 1");
  CONVLAB_CHECK(opt_.num_epochs > 0 && opt_.num_epochs <= 1e6,
                "Solver: num_epochs must be > 0 (and at most 1e6), got " << opt_.num_epochs);
  CONVLAB_CHECK(train_.device() == model_.device() && val_.device() == model_.device(),
                "Solver: data and model must be on the same device");
  iterations_per_epoch_ = std::max<int64_t>(train_.size() / opt_.batch_size, 1);
  // ceil(num_epochs * iterations_per_epoch), the product's rounding error
  // forgiven (9.9 epochs of 10 iterations are 99 iterations, not 100).
  const double exact = opt_.num_epochs * static_cast<double>(iterations_per_epoch_);
  num_iterations_ = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(exact * (1.0 - 1e-12))));
  schedule_ = opt_.lr_schedule;
  if (schedule_.type == LrScheduleType::step) schedule_.lr_decay = opt_.lr_decay;
  param_plan_ = resolve_param_groups(opt_.param_groups, model_.param_info(), iterations_per_epoch_);
  const std::string groups = describe_param_plan(param_plan_, iterations_per_epoch_);
  if (opt_.verbose && !groups.empty()) out_ << groups << "\n";
  CONVLAB_CHECK(opt_.sampling != Sampling::epoch || train_.size() >= opt_.batch_size,
                "solver.sampling: \"epoch\" needs at least solver.batch_size ("
                    << opt_.batch_size << ") training images (data.num_train), got " << train_.size());
  check_augment_fits(opt_.augment, train_.sample_shape(), "data.augment");
  // An average updated for the first time after the last step would leave the
  // initial weights as the result (lookahead's final update loads them).
  CONVLAB_CHECK(opt_.averaging.type == WeightAveragingConfig::Type::none || opt_.averaging.every <= num_iterations_,
                "solver.weight_averaging.every: " << opt_.averaging.every << " is more than the run's "
                                                  << num_iterations_
                                                  << " iterations; the average would never be updated");
  if (opt_.prefetch && train_.device() == Device::cpu) loader_ = std::make_unique<PrefetchLoader>();
  if (num_ranks() > 1) {
    CONVLAB_CHECK(opt_.batch_size % num_ranks() == 0,
                  "solver.batch_size: " << opt_.batch_size << " does not split evenly over " << num_ranks()
                                        << " ranks (data-parallel training: batch_size is the global batch)");
    model_.set_data_parallel(*opt_.comm);
    model_.load_state(dist::broadcast_tensors(*opt_.comm, model_.state()));
    sync_ = std::make_unique<dist::GradientSync>(*opt_.comm);
  }
  history_.metric = model_.metric();
  best_val_ = history_.metric.higher_is_better ? -INFINITY : INFINITY;
}

double Solver::lr_at_iteration(int64_t t) const {
  return lr_at(schedule_, opt_.optim.lr(), t, num_iterations_, iterations_per_epoch_);
}

Sampling parse_sampling(const std::string& name) {
  if (name == "random") return Sampling::random;
  if (name == "epoch") return Sampling::epoch;
  throw Error("sampling: expected \"random\" or \"epoch\", got \"" + name + "\"");
}

const char* sampling_name(Sampling s) { return s == Sampling::epoch ? "epoch" : "random"; }

Solver::BatchPlan Solver::plan_batch(int64_t t) {
  BatchPlan p;
  p.indices.resize(static_cast<std::size_t>(opt_.batch_size));
  const int64_t epoch = t / iterations_per_epoch_;
  if (opt_.sampling == Sampling::random) {
    for (auto& i : p.indices) i = rng_.randint(0, train_.size());
  } else {
    if (perm_epoch_ != epoch) {
      perm_ = epoch_permutation(opt_.seed, epoch, train_.size());
      perm_epoch_ = epoch;
    }
    const auto start = perm_.begin() + (t % iterations_per_epoch_) * opt_.batch_size;
    std::copy(start, start + opt_.batch_size, p.indices.begin());
  }
  if (opt_.augment.enabled()) {
    const Shape s = train_.sample_shape();
    p.params =
        draw_augment(opt_.augment, opt_.seed, t, epoch, p.indices, static_cast<int>(s[1]), static_cast<int>(s[2]));
  }
  if (num_ranks() > 1) {
    // Every rank drew the whole batch (the same draws); each keeps its slice.
    const std::size_t share = p.indices.size() / static_cast<std::size_t>(num_ranks());
    const std::size_t begin = share * static_cast<std::size_t>(opt_.comm->rank());
    p.indices = std::vector<int64_t>(p.indices.begin() + begin, p.indices.begin() + begin + share);
    if (!p.params.empty())
      p.params = std::vector<AugmentSample>(p.params.begin() + begin, p.params.begin() + begin + share);
  }
  return p;
}

Batch Solver::load_batch(const BatchPlan& plan) const {
  if (plan.params.empty()) return train_.gather(plan.indices);
  return train_.gather(plan.indices, plan.params, opt_.augment.pad_mode);
}

Batch Solver::next_batch() {
  std::optional<Batch> b;
  if (loader_ && loader_->pending()) {
    Batch p = loader_->take();  // rethrows the loader's exception
    if (prefetched_t_ == t_) b = std::move(p);
    prefetched_t_ = -1;
  }
  if (!b) b = load_batch(plan_batch(t_));
  // Prefetch batch t_ + 1. With "random" sampling its indices come from the
  // generator that the checks draw from too, so it is planned only when no
  // check follows step t_ (train(): the first iteration, each epoch's last,
  // the last): the draws stay in cs231n's order, the numbers the same as
  // without prefetch.
  const int64_t next = t_ + 1;
  const bool check_follows = t_ == 0 || next % iterations_per_epoch_ == 0 || next == num_iterations_;
  if (loader_ && next < num_iterations_ && (opt_.sampling == Sampling::epoch || !check_follows)) {
    loader_->submit([this, plan = plan_batch(next)] { return load_batch(plan); });
    prefetched_t_ = next;
  }
  return std::move(*b);
}

Tensor Solver::step() {
  const Batch b = next_batch();
  std::set<std::string> frozen;  // the parameters this step leaves as they are
  for (const auto& kv : param_plan_)
    if (!kv.second.updated_at(t_)) frozen.insert(kv.first);
  if (frozen != frozen_) model_.set_frozen(frozen);
  frozen_ = std::move(frozen);
  model_.begin_step(t_);
  Tensor loss = model_.loss(b.X, b.y);
  if (sync_) {
    std::vector<Tensor> grads;
    for (const TrainedParam& p : trained_params(model_, param_plan_, t_)) grads.push_back(p.grad);
    sync_->average(grads, loss);
  }
  update_parameters(model_, state_, optim_, t_ + 1, param_plan_);
  return loss;
}

void update_parameters(Model& model, std::map<std::string, OptimState>& state, const OptimConfig& config, int64_t t,
                       const ParamPlan& plan) {
  std::vector<ParamSlot> slots;
  std::vector<std::string> names;  // of the slots
  // Frozen parameters are left out: w and its state stay as they are.
  for (const TrainedParam& p : trained_params(model, plan, t - 1)) {
    OptimState& s = state[p.name];
    slots.push_back({p.value, p.grad, s.s1, s.s2, p.settings.lr_mult, p.settings.wd_mult});
    names.push_back(p.name);
  }
  optim_step(slots, config, t);
  for (std::size_t i = 0; i < slots.size(); ++i) state[names[i]] = {slots[i].s1, slots[i].s2};
}

bool Solver::flush_losses() {
  bool ok = true;
  for (const Tensor& l : pending_losses_) {
    const double v = l.to(Device::cpu).item();
    if (!std::isfinite(v) && ok) {
      ok = false;
      stop_reason_ = fmt("loss is %s at iteration %lld", std::isnan(v) ? "nan" : "inf",
                         static_cast<long long>(history_.loss_history.size() + 1));
    }
    history_.loss_history.push_back(v);
    // Divergence: a finite loss that stays far above where training started
    // (e.g. a learning rate 1000x too large) is not learning either.
    const double first = history_.loss_history.front();
    const double limit = std::max(kDivergenceFactor * first, first + 1.0);
    losses_above_start_ = v > limit ? losses_above_start_ + 1 : 0;
    const int64_t window = std::min<int64_t>(kDivergenceWindow, std::max<int64_t>(1, num_iterations_ / 4));
    if (ok && losses_above_start_ >= window) {
      ok = false;
      stop_reason_ =
          fmt("diverged: the loss stayed above %g (%gx the first iteration's %g) for %lld iterations, "
              "%g at iteration %lld",
              limit, kDivergenceFactor, first, static_cast<long long>(window), v,
              static_cast<long long>(history_.loss_history.size()));
    }
  }
  pending_losses_.clear();
  return ok;
}

std::vector<int64_t> Solver::metric_indices(const Dataset& data, int64_t num_samples) {
  const int64_t N = data.size();
  std::vector<int64_t> idx;
  if (num_samples > 0 && N > num_samples) {
    idx.resize(static_cast<std::size_t>(num_samples));
    for (auto& i : idx) i = rng_.randint(0, N);
  } else {
    idx.resize(static_cast<std::size_t>(N));
    for (int64_t i = 0; i < N; ++i) idx[static_cast<std::size_t>(i)] = i;
  }
  return idx;
}

double Solver::check_metric(const Dataset& data, int64_t num_samples, TtaLevel tta) {
  const std::vector<int64_t> idx = metric_indices(data, num_samples);
  const auto N = static_cast<int64_t>(idx.size());
  double sum = 0.0;
  for (int64_t start = 0; start < N; start += opt_.eval_batch_size) {
    const int64_t end = std::min(N, start + opt_.eval_batch_size);
    const std::vector<int64_t> part(idx.begin() + start, idx.begin() + end);
    const Batch b = data.gather(part);
    sum += model_.metric_sum(tta_scores(model_, b.X, tta, data.mean()), b.y);
  }
  return sum / static_cast<double>(N);
}

void Solver::check_and_record() {
  if (!is_root()) {
    // Rank 0 evaluates. The others make the same draws from the generator, so
    // that the batches of "random" sampling stay the same on every rank.
    metric_indices(train_, opt_.num_train_samples);
    metric_indices(val_, opt_.num_val_samples);
    if (on_check) on_check(epoch_, false);
    return;
  }
  // With weight averaging the check evaluates (and keeps) the averaged
  // weights; the raw ones go back before on_check saves the resume state.
  std::map<std::string, Tensor> raw;
  if (average_.active()) {
    for (auto& kv : model_.state()) raw[kv.first] = kv.second.clone();
    model_.load_state(average_.average());
  }
  const double train_value = check_metric(train_, opt_.num_train_samples);
  const double val_value = check_metric(val_, opt_.num_val_samples);
  history_.train_metric.push_back(train_value);
  history_.val_metric.push_back(val_value);
  history_.check_epoch.push_back(epoch_);
  const Metric& m = history_.metric;
  if (opt_.verbose) {
    if (opt_.progress) out_ << "\r\033[K";
    if (m.name == "acc")
      out_ << fmt("(Epoch %lld / %g) train acc: %f; val_acc: %f\n", static_cast<long long>(epoch_), opt_.num_epochs,
                  train_value, val_value);
    else
      out_ << fmt("(Epoch %lld / %g) train %s: %f; val_%s: %f\n", static_cast<long long>(epoch_), opt_.num_epochs,
                  m.name.c_str(), train_value, m.name.c_str(), val_value);
    out_.flush();
  }
  const bool improved = opt_.keep_last || (m.higher_is_better ? val_value > best_val_ : val_value < best_val_);
  if (improved) {
    best_val_ = val_value;
    best_epoch_ = epoch_;
    best_state_.clear();
    for (auto& kv : model_.state()) best_state_[kv.first] = kv.second.clone();
  }
  if (!raw.empty()) model_.load_state(raw);
  if (on_check) on_check(epoch_, improved);
}

void Solver::print_progress(int64_t t) {
  const int64_t in_epoch = t % iterations_per_epoch_ + 1;
  const int width = 30;
  const int filled = static_cast<int>(width * in_epoch / iterations_per_epoch_);
  out_ << "\r[" << std::string(static_cast<std::size_t>(filled), '=')
       << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << in_epoch << "/" << iterations_per_epoch_
       << " (epoch " << epoch_ + 1 << " / " << fmt("%g", opt_.num_epochs) << ")";
  out_.flush();
}

bool Solver::train() {
  stop_reason_.clear();
  auto epoch_start = Clock::now();
  double check_seconds = 0.0;  // time spent in checks during the current epoch
  int64_t steps_in_epoch = 0;
  double allreduce_at_epoch_start = allreduce_seconds();
  average_.start(model_);
  for (; t_ < num_iterations_; ++t_) {
    optim_.learning_rate = lr_at_iteration(t_);
    pending_losses_.push_back(step());
    average_.after_step(model_, t_ + 1, num_iterations_);
    if (on_step) on_step(t_);
    ++steps_in_epoch;
    const bool print_it = opt_.verbose && t_ % opt_.print_every == 0;
    if (print_it || pending_losses_.size() >= 64) {
      if (!flush_losses()) break;
    }
    if (print_it) {
      if (opt_.progress) out_ << "\r\033[K";
      out_ << fmt("(Iteration %lld / %lld) loss: %f\n", static_cast<long long>(t_ + 1),
                  static_cast<long long>(num_iterations_), history_.loss_history.back());
      out_.flush();
    }
    if (opt_.progress) print_progress(t_);

    // The last iteration of a fractional run ends its partial epoch.
    const bool first_it = t_ == 0, last_it = t_ == num_iterations_ - 1;
    const bool epoch_end = (t_ + 1) % iterations_per_epoch_ == 0 || last_it;
    if (epoch_end) ++epoch_;
    if (first_it || last_it || epoch_end) {
      if (!flush_losses()) break;  // also waits for the device, so the timing below is real
      const double steps_s = seconds_since(epoch_start) - check_seconds;
      if (epoch_end) {
        // The epoch's time goes into the history before its check, whose
        // callback saves the history (and the resume state); the check's own
        // time is added to the entry afterwards.
        const double ips = steps_s > 0 ? static_cast<double>(steps_in_epoch * opt_.batch_size) / steps_s : 0.0;
        train_seconds_ += steps_s;
        images_timed_ += steps_in_epoch * opt_.batch_size;
        history_.epoch_time_s.push_back(seconds_since(epoch_start));
        history_.images_per_s.push_back(ips);
      }
      const auto c0 = Clock::now();
      check_and_record();
      check_seconds += seconds_since(c0);
      if (epoch_end) {
        history_.epoch_time_s.back() = seconds_since(epoch_start);
        if (opt_.verbose) {
          out_ << fmt("(Epoch %lld / %g) time: %.2f s, %.0f images/s", static_cast<long long>(epoch_), opt_.num_epochs,
                      history_.epoch_time_s.back(), history_.images_per_s.back());
          if (sync_)
            out_ << fmt(" on %d ranks; gradient all-reduce %.2f s of it", num_ranks(),
                        allreduce_seconds() - allreduce_at_epoch_start);
          out_ << "\n";
          out_.flush();
        }
        allreduce_at_epoch_start = allreduce_seconds();
        epoch_start = Clock::now();
        check_seconds = 0.0;
        steps_in_epoch = 0;
      }
    }
  }
  const bool ok = stop_reason_.empty() && flush_losses();
  if (!ok) {
    if (opt_.progress) out_ << "\r\033[K";
    out_ << "training stopped: " << stop_reason_
         << (opt_.keep_last ? "; keeping the parameters of the last check" : "; keeping the best parameters so far")
         << (best_epoch_ >= 0 ? fmt(" (epoch %lld, val %s %f)", static_cast<long long>(best_epoch_),
                                    history_.metric.name.c_str(), best_val_)
                              : std::string(" (none were checked: the model keeps its initial values)"))
         << "\n";
    out_.flush();
  }
  if (!best_state_.empty()) model_.load_state(best_state_);
  return ok;
}

double Solver::images_per_second() const {
  // The epochs timed by this object: after a resume, train_seconds_ covers only those.
  return train_seconds_ > 0 ? static_cast<double>(images_timed_) / train_seconds_ : 0.0;
}

void Solver::resume(int64_t epoch, History history, double best_val, int64_t best_epoch,
                    std::map<std::string, Tensor> best_state, std::map<std::string, OptimState> optim_state) {
  CONVLAB_CHECK(epoch >= 0 && epoch * iterations_per_epoch_ <= num_iterations_,
                "resume: the run stopped after epoch " << epoch << " but solver.num_epochs is " << opt_.num_epochs);
  const Metric m = model_.metric();
  CONVLAB_CHECK(history.metric.name == m.name && history.metric.higher_is_better == m.higher_is_better,
                "resume: the history records metric \"" << history.metric.name << "\", the model's metric is \""
                                                        << m.name << "\"");
  epoch_ = epoch;
  t_ = epoch * iterations_per_epoch_;
  prefetched_t_ = -1;  // a batch prepared before the resume is dropped by next_batch()
  history_ = std::move(history);
  best_val_ = best_val;
  best_epoch_ = best_epoch;
  best_state_ = std::move(best_state);
  state_ = std::move(optim_state);
  optim_ = opt_.optim;  // train() sets the learning rate of iteration t_ from the schedule
}

}  // namespace convlab
