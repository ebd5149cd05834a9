// The linear model y ~ X w + b trained by mini-batch stochastic gradient
// descent with convlab's update rules (optim_step: sgd, sgd_momentum,
// rmsprop, adam). Loss per mini-batch: 0.5 * mean((X w + b - y)^2), the
// seed's mean-square loss; the metric is the mean absolute error.
#pragma once
#include <cstdint>
#include <ostream>
#include <vector>

#include "host/ops/optim.h"
#include "host/regression/linear_model.h"

namespace convlab {

struct SgdRegressionConfig {
  OptimConfig optim;         // update rule and its settings
  double lr_decay = 1.0;     // after each epoch: learning_rate *= lr_decay (cs231n Solver)
  int64_t batch_size = 32;   // the last batch of an epoch may be smaller
  int64_t num_epochs = 100;  // passes over the training set, reshuffled each epoch
  uint32_t seed = 0;         // NumpyRandom seed for the shuffles and the initial weights
  double weight_scale = 0.0; // initial w ~ weight_scale * randn; 0: zeros. b starts at 0.
  bool fit_intercept = true;
  int64_t print_every = 0;   // print a line every this many epochs (0: never)
};

struct SgdHistory {
  std::vector<double> loss_history;  // per iteration: the mini-batch loss before its update
  std::vector<double> train_loss;    // per epoch, after it: 0.5 * MSE on the whole training set
  std::vector<double> train_mae;
  std::vector<double> val_loss;
  std::vector<double> val_mae;
};

// Xtr (n, d), ytr (n) or (n, 1); Xval/yval likewise (may be empty tensors:
// then the validation columns stay empty). Returns the trained model; the
// history and per-epoch lines go to `history` and `log` when given.
LinearModel train_linear_sgd(const Tensor& Xtr, const Tensor& ytr, const Tensor& Xval, const Tensor& yval,
                             const SgdRegressionConfig& config, SgdHistory* history = nullptr,
                             std::ostream* log = nullptr);

}  // namespace convlab
