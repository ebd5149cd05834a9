// Per-split metrics of a fitted linear model: computing, printing (with the
// seed's "Training error:" lines) and as JSON for summary.json.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "host/regression/linear_model.h"

namespace convlab {

struct SplitMetrics {
  int64_t n = 0;
  double mae = 0.0, mse = 0.0;  // mean absolute error, mean squared error
};

struct RegressionMetrics {
  SplitMetrics train, val, test;
};

SplitMetrics evaluate_split(const LinearModel& m, const Tensor& X, const Tensor& y);
nlohmann::json split_json(const SplitMetrics& s);  // {"n", "mae", "mse"}
// Shortest text that reads back as the same double.
std::string shortest_repr(double v);

// A table of n / MAE / MSE per split, then "Training error: ...",
// "Validation error: ...", "Test error: ..." (MAE, every digit).
void print_regression_metrics(const std::string& model_type, const LinearModel& m, const RegressionMetrics& r,
                              std::ostream& out);

}  // namespace convlab
