// The data pipeline of the housing experiment: read a LIBSVM file, split it
// as train_test_split(test_size, random_state) does, set the first
// int(val_split * n_train) training rows aside for validation, and
// standardise all three splits with statistics of the remaining training rows.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/data/standardizer.h"
#include "host/tensor.h"

namespace convlab {

struct RegressionDataConfig {
  std::string path;          // LIBSVM file
  int64_t num_features = 0;  // 0: the largest index in the file
  double test_size = 0.33;
  uint32_t random_state = 42;
  double val_split = 0.2;
  bool standardize = true;
};

// Reads the "data" object of a config: dataset ("libsvm"), path (else
// $CONVLAB_DATA_DIR/housing/housing_scale), num_features, test_size,
// random_state, val_split, standardize. Unknown keys and wrong types are
// errors naming the key (data.test_size ...).
RegressionDataConfig parse_regression_data_config(const nlohmann::json& data);

struct RegressionSplits {
  Tensor X_train, y_train, X_val, y_val, X_test, y_test;  // float64; y of shape (n)
  std::vector<int64_t> train_idx, val_idx, test_idx;      // rows of the file (0-based)
  Standardizer standardizer;                              // fitted on X_train when standardize
};

RegressionSplits load_regression_splits(const RegressionDataConfig& config);

}  // namespace convlab
