#include "host/regression/regression_data.h"

#include <cmath>
#include <cstdlib>

#include "host/config/json_reader.h"
#include "host/data/libsvm.h"
#include "host/data/split.h"

namespace convlab {

RegressionDataConfig parse_regression_data_config(const nlohmann::json& data) {
  RegressionDataConfig c;
  const nlohmann::json& spec = data.is_null() ? nlohmann::json::object() : data;
  config::JsonReader r(spec, "data");
  r.string("dataset", std::string("libsvm"), {"libsvm"});
  c.path = r.string("path", std::string());
  c.num_features = r.integer("num_features", c.num_features, 0, kLibsvmMaxDenseValues);
  c.test_size = r.number("test_size", c.test_size, 0.0, 1.0, true);
  CONVLAB_CHECK(c.test_size < 1.0, "data.test_size: expected a fraction in (0, 1), got " << c.test_size);
  c.random_state = static_cast<uint32_t>(r.integer("random_state", c.random_state, 0, 4294967295LL));
  c.val_split = r.number("val_split", c.val_split, 0.0, 1.0);
  CONVLAB_CHECK(c.val_split < 1.0, "data.val_split: expected a fraction in [0, 1), got " << c.val_split);
  c.standardize = r.boolean("standardize", c.standardize);
  r.finish();
  if (c.path.empty()) {  // after the other keys, so their errors come first
    const char* dir = std::getenv("CONVLAB_DATA_DIR");
    CONVLAB_CHECK(dir && *dir,
                  "data.path is not set and neither is CONVLAB_DATA_DIR "
                  "(the datasets folder holding housing/housing_scale)");
    c.path = std::string(dir) + "/housing/housing_scale";
  }
  return c;
}

RegressionSplits load_regression_splits(const RegressionDataConfig& config) {
  const LibsvmData all = read_libsvm(config.path, config.num_features);
  const SplitIndices s = train_test_split_indices(all.X.dim(0), config.test_size, config.random_state);
  // The seed: val_size = int(X_train.shape[0] * val_split); validation is
  // X_train[:val_size], training X_train[val_size:].
  const auto val_size = static_cast<std::size_t>(std::floor(static_cast<double>(s.train.size()) * config.val_split));
  CONVLAB_CHECK(val_size < s.train.size(),
                "regression data: val_split " << config.val_split << " leaves no training sample");
  RegressionSplits r;
  r.val_idx.assign(s.train.begin(), s.train.begin() + static_cast<std::ptrdiff_t>(val_size));
  r.train_idx.assign(s.train.begin() + static_cast<std::ptrdiff_t>(val_size), s.train.end());
  r.test_idx = s.test;
  r.X_train = take_rows(all.X, r.train_idx);
  r.y_train = take_rows(all.y, r.train_idx);
  r.X_val = take_rows(all.X, r.val_idx);
  r.y_val = take_rows(all.y, r.val_idx);
  r.X_test = take_rows(all.X, r.test_idx);
  r.y_test = take_rows(all.y, r.test_idx);
  if (config.standardize) {
    r.standardizer.fit(r.X_train);
    r.X_train = r.standardizer.transform(r.X_train);
    if (!r.val_idx.empty()) r.X_val = r.standardizer.transform(r.X_val);
    r.X_test = r.standardizer.transform(r.X_test);
  }
  return r;
}

}  // namespace convlab
