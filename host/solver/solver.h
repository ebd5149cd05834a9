// Solver: cs231n's Solver in C++. Trains a Model on a Dataset with
// minibatch gradient descent (update rules through optim_step, the learning
// rate of every iteration from the schedule, host/solver/lr_schedule.h), evaluates
// the model's metric on train/val after the first iteration, at the end of
// every epoch and at the last iteration, keeps the parameters with the best
// validation metric and loads them into the model when training ends. With
// weight averaging (SolverOptions::averaging, host/solver/weight_average.h)
// the checks, the best parameters and the end state are the averaged weights.
//
// Random draws come from the run's NumpyRandom, as np.random does:
//   batch   = np.random.choice(num_train, batch_size)   -> batch_size randint(0, N)
//             (sampling "random", the default; sampling "epoch" instead visits
//             a permutation keyed by (seed, epoch), floor(N / B) batches per epoch)
//   samples = np.random.choice(N, num_samples)           in check_metric (cs231n's check_accuracy)
// Printed lines are the notebooks':
//   (Iteration 21 / 980) loss: 2.098229
//   (Epoch 1 / 1) train acc: 0.504000; val_acc: 0.499000
// plus, after each epoch, its time and training throughput. A NaN or
// infinite loss stops training with a message, and so does divergence: a loss
// above max(kDivergenceFactor x the first iteration's loss, that loss + 1) for
// kDivergenceWindow iterations in a row (a quarter of the run when shorter).
// The best parameters so far stay in the model.
#pragma once
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "host/data/augment.h"
#include "host/data/dataset.h"
#include "host/data/prefetch_loader.h"
#include "host/dist/gradient_sync.h"
#include "host/ops/optim/optim.h"
#include "host/random/numpy_random.h"
#include "host/solver/lr_schedule.h"
#include "host/solver/param_groups.h"
#include "host/solver/tta.h"
#include "host/solver/weight_average.h"
#include "models/model.h"

namespace convlab {

constexpr double kDivergenceFactor = 10.0;
constexpr int64_t kDivergenceWindow = 100;

// How the training batches are drawn: "random" is cs231n's, batch_size draws
// with replacement from the run's generator; "epoch" visits every image once
// per epoch in the order epoch_permutation(seed, epoch) (host/data/augment.h).
enum class Sampling { random, epoch };
Sampling parse_sampling(const std::string& name);
const char* sampling_name(Sampling s);

struct SolverOptions {
  OptimConfig optim;
  std::vector<ParamGroup> param_groups;  // lr/wd multipliers, frozen parameters (param_groups.h)
  double lr_decay = 1.0;   // the step schedule's factor (lr_schedule.lr_decay is ignored: this one is used)
  LrSchedule lr_schedule;  // the learning rate of every iteration, from optim's learning rate
  int64_t batch_size = 100;
  // Fractional epochs run ceil(num_epochs x iterations per epoch) iterations
  // (as airbench); the last, partial epoch counts as an epoch in the history.
  double num_epochs = 10;
  int64_t num_train_samples = 1000;  // < 0: all
  int64_t num_val_samples = -1;      // < 0: all
  int64_t print_every = 10;
  bool verbose = true;
  bool progress = false;            // a progress bar on `out` (use only on a terminal)
  int64_t eval_batch_size = 100;    // check_metric's batch_size
  WeightAveragingConfig averaging;  // none: the checks evaluate the raw weights
  // The training data pipeline: batch sampling, augmentation (image data
  // only) and a background thread preparing batch t + 1 while step t trains
  // (CPU data; on the GPU the batch is one kernel launch and is made in
  // place). seed keys the epoch permutations and the augmentation draws.
  Sampling sampling = Sampling::random;
  // Which parameters the model ends with (and best.safetensors holds): those
  // of the best validation check, or of the last check (keep_last).
  bool keep_last = false;
  AugmentConfig augment;
  bool prefetch = true;
  uint32_t seed = 0;
  // Data-parallel training (docs/distributed.md): with a communicator of n > 1
  // ranks, batch_size is the global batch and each rank trains on its n-th of
  // it (the same seeded batch everywhere); the gradients and the loss are
  // averaged over the ranks by one all-reduce per step; rank 0's initial
  // state is broadcast at construction. Only rank 0 evaluates: the checks'
  // metrics (history, best state) exist on rank 0 alone. nullptr: one process.
  dist::Communicator* comm = nullptr;
};

// What the Solver records. The metric series hold the model's metric (see
// Model::metric(): accuracy for classifiers, e.g. mean absolute error for a
// regression model); `metric` says which, and whether higher is better.
struct History {
  Metric metric{"acc", true};        // the Solver sets it to its model's metric
  std::vector<double> loss_history;  // one per iteration
  std::vector<double> train_metric;  // the model's metric on the training set, one per check
  std::vector<double> val_metric;    // the same on the validation set
  std::vector<int64_t> check_epoch;  // epoch of each check (0 after the first iteration)
  std::vector<double> epoch_time_s;  // wall time of each epoch (training steps and checks)
  std::vector<double> images_per_s;  // training throughput of each epoch
};

// Optimiser state of one parameter (velocity / cache / m and v).
struct OptimState {
  Tensor s1, s2;
};

// One update of every parameter of `model` from its current gradients with
// the update rule of `config` (adam's step count t, 1 on the first step),
// keeping each parameter's optimiser state in `state` by name. `plan` gives
// each parameter's lr and weight-decay multipliers; a parameter it does not
// update at iteration t - 1 (frozen) is skipped, its state untouched.
void update_parameters(Model& model, std::map<std::string, OptimState>& state, const OptimConfig& config, int64_t t,
                       const ParamPlan& plan = {});

class Solver {
 public:
  Solver(Model& model, Dataset train, Dataset val, SolverOptions options, NumpyRandom& rng, std::ostream& out);

  // Runs the remaining iterations. Returns false when it stopped on a
  // non-finite loss or divergence (see stop_reason()).
  bool train();
  // The model's metric on (a random subset of num_samples of) data, in test
  // mode, with the scores averaged over the views of `tta` (host/solver/tta.h).
  double check_metric(const Dataset& data, int64_t num_samples, TtaLevel tta = TtaLevel::none);

  // Called after every check (epoch 0 included) with the epoch number and
  // whether the validation metric improved.
  // On ranks other than 0, called with improved = false and no metric recorded.
  std::function<void(int64_t epoch, bool improved)> on_check;
  // Called after every update with the iteration just done (0-based).
  std::function<void(int64_t t)> on_step;

  const History& history() const { return history_; }
  double best_val_metric() const { return best_val_; }
  int64_t best_epoch() const { return best_epoch_; }
  const std::map<std::string, Tensor>& best_state() const { return best_state_; }
  int64_t epoch() const { return epoch_; }
  int64_t iterations_done() const { return t_; }
  int64_t num_iterations() const { return num_iterations_; }
  // The epochs of the run, a last partial one included: ceil(num_iterations / iterations_per_epoch).
  int64_t num_epochs_total() const { return (num_iterations_ + iterations_per_epoch_ - 1) / iterations_per_epoch_; }
  const LrSchedule& lr_schedule() const { return schedule_; }
  // The learning rate of iteration t (0-based) from the schedule.
  double lr_at_iteration(int64_t t) const;
  int64_t iterations_per_epoch() const { return iterations_per_epoch_; }
  const std::string& stop_reason() const { return stop_reason_; }
  double train_seconds() const { return train_seconds_; }  // time in training steps only
  double images_per_second() const;
  // Data-parallel runs: seconds in the gradient all-reduce (0 on one process),
  // and the bytes each rank sends into it per step.
  double allreduce_seconds() const { return sync_ ? sync_->seconds() : 0.0; }
  int64_t allreduce_bytes() const { return sync_ ? sync_->bytes() : 0; }
  int num_ranks() const { return opt_.comm ? opt_.comm->size() : 1; }
  bool is_root() const { return !opt_.comm || opt_.comm->rank() == 0; }
  const OptimConfig& optim() const { return optim_; }
  std::map<std::string, OptimState>& optim_state() { return state_; }
  // The weight average (solver.weight_averaging; inactive for "none"). The
  // checks evaluate it, and best_state() holds averaged weights.
  WeightAverage& weight_average() { return average_; }

  // Restores a run stopped after `epoch` full epochs (history, best, optimiser state).
  void resume(int64_t epoch, History history, double best_val, int64_t best_epoch,
              std::map<std::string, Tensor> best_state, std::map<std::string, OptimState> optim_state);

 private:
  Tensor step();            // one update; returns the loss scalar (on the model's device)
  bool flush_losses();      // copies pending losses to the history; false on NaN/inf or divergence
  void check_and_record();  // records the metric on train/val; keeps the best parameters
  void print_progress(int64_t t);
  // The samples check_metric evaluates (num_samples random draws from rng_, or all).
  std::vector<int64_t> metric_indices(const Dataset& data, int64_t num_samples);
  // The batch of iteration t: its indices (drawn from rng_ for "random"
  // sampling: call in iteration order, on this thread) and augmentation.
  struct BatchPlan {
    std::vector<int64_t> indices;
    std::vector<AugmentSample> params;  // empty: no augmentation
  };
  BatchPlan plan_batch(int64_t t);                // this rank's shard of the batch when data-parallel
  Batch load_batch(const BatchPlan& plan) const;  // gather + augment + normalise (any thread)
  Batch next_batch();                             // batch t_ (prefetched or made now); prefetches t_ + 1

  Model& model_;
  Dataset train_, val_;
  SolverOptions opt_;
  OptimConfig optim_;
  NumpyRandom& rng_;
  std::ostream& out_;
  std::map<std::string, OptimState> state_;
  LrSchedule schedule_;
  ParamPlan param_plan_;          // opt_.param_groups resolved for model_
  std::set<std::string> frozen_;  // what model_ was last told needs no gradient
  History history_;
  std::vector<Tensor> pending_losses_;
  std::map<std::string, Tensor> best_state_;
  double best_val_ = 0.0;
  int64_t best_epoch_ = -1;
  int64_t epoch_ = 0, t_ = 0, num_iterations_ = 0, iterations_per_epoch_ = 1;
  double train_seconds_ = 0.0;
  int64_t images_timed_ = 0;  // images of the steps train_seconds_ holds
  std::string stop_reason_;
  int64_t losses_above_start_ = 0;  // consecutive losses above the divergence limit
  WeightAverage average_;
  std::vector<int64_t> perm_;  // "epoch" sampling: the permutation of epoch perm_epoch_
  int64_t perm_epoch_ = -1;
  int64_t prefetched_t_ = -1;                 // the iteration whose batch loader_ prepares
  std::unique_ptr<dist::GradientSync> sync_;  // data-parallel runs only
  std::unique_ptr<PrefetchLoader> loader_;    // last: its thread reads train_, so it stops first
};

}  // namespace convlab
