#include "host/regression/sgd_regression.h"

#include <algorithm>
#include <cmath>

#include "host/random/numpy_random.h"
#include "host/regression/metrics.h"

namespace convlab {
namespace {

// Mini-batch loss 0.5 * mean(r^2), r = X_B w + b - y_B, and its gradients
// dw = X_B^T r / B, db = sum(r) / B.
double batch_loss_and_grads(const double* x, const std::vector<double>& y, int64_t d,
                            const std::vector<int64_t>& order, int64_t begin, int64_t end, const double* w,
                            double b, double* dw, double* db) {
  std::fill(dw, dw + d, 0.0);
  double loss = 0.0, gb = 0.0;
  for (int64_t k = begin; k < end; ++k) {
    const double* xi = x + order[k] * d;
    double r = b - y[order[k]];
    for (int64_t j = 0; j < d; ++j) r += xi[j] * w[j];
    loss += r * r;
    gb += r;
    for (int64_t j = 0; j < d; ++j) dw[j] += r * xi[j];
  }
  const double inv = 1.0 / static_cast<double>(end - begin);
  for (int64_t j = 0; j < d; ++j) dw[j] *= inv;
  *db = gb * inv;
  return 0.5 * loss * inv;
}

LinearModel snapshot(const Tensor& w, const Tensor& b, bool fit_intercept) {
  LinearModel m;
  m.w = w.to_vector();
  m.b = fit_intercept ? b.item(0) : 0.0;
  return m;
}

}  // namespace

LinearModel train_linear_sgd(const Tensor& Xtr, const Tensor& ytr, const Tensor& Xval, const Tensor& yval,
                             const SgdRegressionConfig& config, SgdHistory* history, std::ostream* log) {
  const char* op = "train_linear_sgd";
  CONVLAB_CHECK(Xtr.ndim() == 2 && Xtr.dim(0) > 0, op << ": expected X_train of shape (n, d), got "
                                                       << shape_str(Xtr.shape()));
  CONVLAB_CHECK(config.batch_size >= 1, op << ": batch_size must be >= 1, got " << config.batch_size);
  CONVLAB_CHECK(config.num_epochs >= 1, op << ": num_epochs must be >= 1, got " << config.num_epochs);
  CONVLAB_CHECK(config.optim.lr() > 0.0, op << ": learning_rate must be > 0, got " << config.optim.lr());
  CONVLAB_CHECK(config.lr_decay > 0.0, op << ": lr_decay must be > 0, got " << config.lr_decay);
  const bool has_val = Xval.defined() && Xval.numel() > 0;
  if (has_val)
    CONVLAB_CHECK(Xval.ndim() == 2 && Xval.dim(1) == Xtr.dim(1),
                  op << ": X_val must have " << Xtr.dim(1) << " columns, got " << shape_str(Xval.shape()));

  const int64_t n = Xtr.dim(0), d = Xtr.dim(1);
  const std::vector<double> y = regression_targets(op, ytr, n);
  const Tensor X64 = Xtr.to(DType::f64);
  const double* x = X64.data<double>();

  NumpyRandom rng(config.seed);
  std::vector<ParamSlot> params(2);
  params[0].w = Tensor::zeros({d}, DType::f64);
  if (config.weight_scale > 0.0)  // np.random.randn(d) * weight_scale
    for (int64_t j = 0; j < d; ++j) params[0].w.set_item(j, config.weight_scale * rng.randn());
  params[0].dw = Tensor::zeros({d}, DType::f64);
  params[1].w = Tensor::zeros({1}, DType::f64);
  params[1].dw = Tensor::zeros({1}, DType::f64);
  if (!config.fit_intercept) params.resize(1);
  Tensor& W = params[0].w;
  const Tensor B = config.fit_intercept ? params[1].w : Tensor::zeros({1}, DType::f64);

  SgdHistory local;
  SgdHistory& h = history ? *history : local;
  OptimConfig optim = config.optim;
  optim.learning_rate = optim.lr();
  int64_t t = 0;
  for (int64_t epoch = 1; epoch <= config.num_epochs; ++epoch) {
    const std::vector<int64_t> order = rng.permutation(n);
    for (int64_t begin = 0; begin < n; begin += config.batch_size) {
      const int64_t end = std::min(n, begin + config.batch_size);
      double db = 0.0;
      const double loss = batch_loss_and_grads(x, y, d, order, begin, end, W.data<double>(), B.item(0),
                                               params[0].dw.data<double>(), &db);
      CONVLAB_CHECK(std::isfinite(loss), op << ": loss became " << loss << " at epoch " << epoch
                                            << " (learning rate " << config.optim.lr() << " too large?)");
      if (config.fit_intercept) params[1].dw.set_item(0, db);
      h.loss_history.push_back(loss);
      optim_step(params, optim, ++t);
    }
    optim.learning_rate *= config.lr_decay;
    const LinearModel m = snapshot(W, B, config.fit_intercept);
    const Tensor ptr = m.predict(X64);
    const double tr_mse = mean_squared_error(ptr, ytr);
    h.train_loss.push_back(0.5 * tr_mse);
    h.train_mae.push_back(mean_absolute_error(ptr, ytr));
    if (has_val) {
      const Tensor pv = m.predict(Xval);
      h.val_loss.push_back(0.5 * mean_squared_error(pv, yval));
      h.val_mae.push_back(mean_absolute_error(pv, yval));
    }
    if (log && config.print_every > 0 && (epoch % config.print_every == 0 || epoch == config.num_epochs)) {
      *log << "(Epoch " << epoch << " / " << config.num_epochs << ") loss: " << h.train_loss.back()
           << ", train MAE: " << h.train_mae.back();
      if (has_val) *log << ", val MAE: " << h.val_mae.back();
      *log << "\n";
    }
  }
  return snapshot(W, B, config.fit_intercept);
}

}  // namespace convlab
