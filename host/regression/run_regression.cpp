#include "host/regression/run_regression.h"

#include <iostream>
#include <limits>

#include "host/regression/config_fields.h"
#include "host/regression/metrics.h"
#include "host/regression/normal_equations.h"
#include "host/regression/regression_data.h"

namespace convlab {
namespace {

SplitMetrics evaluate(const LinearModel& m, const Tensor& X, const Tensor& y) {
  SplitMetrics s;
  s.n = X.dim(0);
  if (s.n == 0) return s;
  const Tensor p = m.predict(X);
  s.mae = mean_absolute_error(p, y);
  s.mse = mean_squared_error(p, y);
  return s;
}

SgdRegressionConfig parse_sgd_config(const nlohmann::json& solver, bool fit_intercept, double weight_scale) {
  SgdRegressionConfig c;
  c.fit_intercept = fit_intercept;
  c.weight_scale = weight_scale;
  c.print_every = 10;
  const ConfigObject s(solver, "solver");
  s.allow_only({"update_rule", "optim_config", "lr_decay", "batch_size", "num_epochs", "seed", "print_every"});
  c.optim.rule = parse_update_rule(s.string("update_rule", "sgd"));
  if (s.has("optim_config")) {
    const ConfigObject o(s.at("optim_config"), "solver.optim_config");
    o.allow_only({"learning_rate", "momentum", "decay_rate", "beta1", "beta2", "epsilon"});
    c.optim.learning_rate = o.number("learning_rate", c.optim.learning_rate);
    c.optim.momentum = o.number("momentum", c.optim.momentum);
    c.optim.decay_rate = o.number("decay_rate", c.optim.decay_rate);
    c.optim.beta1 = o.number("beta1", c.optim.beta1);
    c.optim.beta2 = o.number("beta2", c.optim.beta2);
    c.optim.epsilon = o.number("epsilon", c.optim.epsilon);
    CONVLAB_CHECK(!o.has("learning_rate") || c.optim.learning_rate > 0.0,
                  "config: solver.optim_config.learning_rate must be > 0, got " << c.optim.learning_rate);
  }
  c.batch_size = s.integer("batch_size", c.batch_size);
  CONVLAB_CHECK(c.batch_size >= 1, "config: solver.batch_size must be >= 1, got " << c.batch_size);
  c.num_epochs = s.integer("num_epochs", c.num_epochs);
  CONVLAB_CHECK(c.num_epochs >= 1, "config: solver.num_epochs must be >= 1, got " << c.num_epochs);
  const int64_t seed = s.integer("seed", 0);
  CONVLAB_CHECK(seed >= 0 && seed <= 0xFFFFFFFFLL, "config: solver.seed must be in [0, 2^32), got " << seed);
  c.seed = static_cast<uint32_t>(seed);
  c.lr_decay = s.number("lr_decay", c.lr_decay);
  CONVLAB_CHECK(c.lr_decay > 0.0, "config: solver.lr_decay must be > 0, got " << c.lr_decay);
  c.print_every = s.integer("print_every", c.print_every);
  return c;
}

template <class T>
std::vector<T> sweep_values(const ConfigObject& sweep, const char* key, T fallback) {
  if (!sweep.has(key)) return {fallback};
  const auto& v = sweep.at(key);
  CONVLAB_CHECK(v.is_array() && !v.empty(), "config: " << sweep.key_path(key) << " must be a non-empty array");
  std::vector<T> out;
  for (const auto& e : v) {
    const bool ok = std::is_integral_v<T> ? e.is_number_integer() : e.is_number();
    CONVLAB_CHECK(ok && e.template get<double>() > 0,
                  "config: " << sweep.key_path(key) << " must hold positive numbers, got " << e.dump());
    out.push_back(e.template get<T>());
  }
  return out;
}

struct SweepGrid {
  std::vector<double> learning_rates;
  std::vector<int64_t> batch_sizes;
};

SweepGrid parse_sweep(const nlohmann::json& sweep_json, const SgdRegressionConfig& base) {
  const ConfigObject sweep(sweep_json, "sweep");
  sweep.allow_only({"learning_rate", "batch_size"});
  return {sweep_values<double>(sweep, "learning_rate", base.optim.lr()),
          sweep_values<int64_t>(sweep, "batch_size", base.batch_size)};
}

void run_sweep(const SweepGrid& grid, const SgdRegressionConfig& base, const RegressionSplits& d,
               RegressionResult& r, std::ostream& log) {
  double best = std::numeric_limits<double>::infinity();
  for (double lr : grid.learning_rates)
    for (int64_t bs : grid.batch_sizes) {
      SgdRegressionConfig c = base;
      c.optim.learning_rate = lr;
      c.batch_size = bs;
      c.print_every = 0;
      SweepRun run;
      run.learning_rate = lr;
      run.batch_size = bs;
      LinearModel m;
      try {
        m = train_linear_sgd(d.X_train, d.y_train, d.X_val, d.y_val, c, &run.history);
      } catch (const Error& e) {
        run.diverged = true;
        run.error = e.what();
      }
      if (!run.diverged) {
        run.train = evaluate(m, d.X_train, d.y_train);
        run.val = evaluate(m, d.X_val, d.y_val);
        run.test = evaluate(m, d.X_test, d.y_test);
        const auto& v = run.history.val_mae.empty() ? run.history.train_mae : run.history.val_mae;
        run.best_epoch = 1;
        for (std::size_t e = 0; e < v.size(); ++e)
          if (v[e] < v[run.best_epoch - 1]) run.best_epoch = static_cast<int64_t>(e) + 1;
        run.best_val_mae = v[run.best_epoch - 1];
        const double score = run.val.n ? run.val.mae : run.train.mae;
        if (score < best) {
          best = score;
          r.model = m;
          r.history = run.history;
        }
        log << "lr " << lr << " batch_size " << bs << ": train MAE " << run.train.mae << ", val MAE "
            << run.val.mae << "\n";
      } else {
        log << "lr " << lr << " batch_size " << bs << ": diverged (" << run.error << ")\n";
      }
      r.sweep.push_back(std::move(run));
    }
  CONVLAB_CHECK(best < std::numeric_limits<double>::infinity(), "sweep: every run diverged");
}

}  // namespace

bool is_regression_model_type(const std::string& type) {
  return type == "linear_regression" || type == "ridge_regression" || type == "linear_regression_sgd";
}

RegressionResult run_regression_experiment(const nlohmann::json& config, std::ostream& log) {
  CONVLAB_CHECK(config.is_object(), "config: expected a JSON object, got " << config.dump());
  const ConfigObject model(config.contains("model") ? config["model"] : nlohmann::json(), "model");
  model.allow_only({"type", "fit_intercept", "alpha", "weight_scale"});
  RegressionResult r;
  r.model_type = model.string("type", "");
  CONVLAB_CHECK(is_regression_model_type(r.model_type),
                "config: model.type must be linear_regression, ridge_regression or linear_regression_sgd, got '"
                    << r.model_type << "'");
  const bool fit_intercept = model.boolean("fit_intercept", true);
  const bool sgd = r.model_type == "linear_regression_sgd";
  CONVLAB_CHECK(r.model_type == "ridge_regression" || !model.has("alpha"),
                "config: model.alpha applies to ridge_regression only");
  CONVLAB_CHECK(sgd || !model.has("weight_scale"), "config: model.weight_scale applies to linear_regression_sgd only");
  const double weight_scale = model.number("weight_scale", 0.0);
  CONVLAB_CHECK(weight_scale >= 0.0, "config: model.weight_scale must be >= 0, got " << weight_scale);
  CONVLAB_CHECK(sgd || (!config.contains("solver") && !config.contains("sweep")),
                "config: solver and sweep apply to linear_regression_sgd only");

  // The whole config is checked before any data is read.
  CONVLAB_CHECK(!config.contains("device") || config["device"].is_string(),
                "config: device must be \"cpu\", \"cuda\" or \"auto\", got " << config["device"].dump());
  const std::string device_name = config.value("device", std::string("auto"));
  CONVLAB_CHECK(device_name == "cpu" || device_name == "cuda" || device_name == "auto",
                "config: device must be \"cpu\", \"cuda\" or \"auto\", got \"" << device_name << "\"");
  const double alpha = model.number("alpha", 1.0);
  CONVLAB_CHECK(alpha >= 0.0, "config: model.alpha must be >= 0, got " << alpha);
  SgdRegressionConfig sgd_config;
  SweepGrid grid;
  if (sgd) {
    sgd_config = parse_sgd_config(config.contains("solver") ? config["solver"] : nlohmann::json(), fit_intercept,
                                  weight_scale);
    if (config.contains("sweep")) grid = parse_sweep(config["sweep"], sgd_config);
  }
  const RegressionDataConfig dc =
      parse_regression_data_config(config.contains("data") ? config["data"] : nlohmann::json());
  const RegressionSplits d = load_regression_splits(dc);
  log << dc.path << ": " << d.X_train.dim(0) << " training, " << d.X_val.dim(0) << " validation and "
      << d.X_test.dim(0) << " test examples, " << d.X_train.dim(1) << " features"
      << (dc.standardize ? ", standardized with the training split's mean and std" : "") << "\n";

  // Closed form: A^T A and A^T y on the GPU when asked for and present.
  // Mini-batch SGD on 272 x 13 values runs on the CPU.
  const bool gpu = !sgd && device_name != "cpu" && normal_equations_on_gpu_available();
  if (!sgd && device_name == "cuda" && !gpu) log << "device cuda: no usable GPU, the CPU computes instead\n";
  const Device device = gpu ? Device::cuda : Device::cpu;
  if (!sgd) log << "normal equations on the " << (gpu ? "GPU (cuBLAS)" : "CPU") << "\n";
  if (r.model_type == "linear_regression") {
    r.model = fit_linear_regression(d.X_train, d.y_train, fit_intercept, device);
  } else if (r.model_type == "ridge_regression") {
    r.model = fit_ridge_regression(d.X_train, d.y_train, alpha, fit_intercept, device);
  } else if (!grid.learning_rates.empty()) {
    run_sweep(grid, sgd_config, d, r, log);
  } else {
    r.model = train_linear_sgd(d.X_train, d.y_train, d.X_val, d.y_val, sgd_config, &r.history, &log);
  }
  r.train = evaluate(r.model, d.X_train, d.y_train);
  r.val = evaluate(r.model, d.X_val, d.y_val);
  r.test = evaluate(r.model, d.X_test, d.y_test);
  return r;
}

int run_regression(const nlohmann::json& config, const std::string& out_dir) {
  const RegressionResult r = run_regression_experiment(config, std::cout);
  print_regression_metrics(r, std::cout);
  if (!out_dir.empty()) {
    write_regression_outputs(r, out_dir);
    std::cout << "results written to " << out_dir << "\n";
  }
  return 0;
}

}  // namespace convlab
