#include "host/regression/regression_data.h"

#include <cmath>
#include <cstdlib>

#include "host/data/libsvm.h"
#include "host/data/split.h"
#include "host/regression/config_fields.h"

namespace convlab {

RegressionDataConfig parse_regression_data_config(const nlohmann::json& data) {
  RegressionDataConfig c;
  const ConfigObject obj(data, "data");
  obj.allow_only({"dataset", "path", "num_features", "test_size", "random_state", "val_split", "standardize"});
  if (obj.has("dataset"))
    CONVLAB_CHECK(obj.string("dataset", "") == "libsvm",
                  "config: data.dataset must be \"libsvm\" for regression models, got " << data["dataset"]);
  if (obj.has("path")) {
    c.path = obj.string("path", "");
  } else {
    const char* dir = std::getenv("CONVLAB_DATA_DIR");
    CONVLAB_CHECK(dir && *dir, "config: data.path is not set and neither is CONVLAB_DATA_DIR "
                               "(the datasets folder holding housing/housing_scale)");
    c.path = std::string(dir) + "/housing/housing_scale";
  }
  c.num_features = obj.integer("num_features", 0);
  CONVLAB_CHECK(c.num_features >= 0, "config: data.num_features must be >= 0, got " << c.num_features);
  c.test_size = obj.number("test_size", c.test_size);
  CONVLAB_CHECK(c.test_size > 0.0 && c.test_size < 1.0,
                "config: data.test_size must be in (0, 1), got " << c.test_size);
  const int64_t rs = obj.integer("random_state", c.random_state);
  CONVLAB_CHECK(rs >= 0 && rs <= 0xFFFFFFFFLL, "config: data.random_state must be in [0, 2^32), got " << rs);
  c.random_state = static_cast<uint32_t>(rs);
  c.val_split = obj.number("val_split", c.val_split);
  CONVLAB_CHECK(c.val_split >= 0.0 && c.val_split < 1.0,
                "config: data.val_split must be in [0, 1), got " << c.val_split);
  c.standardize = obj.boolean("standardize", c.standardize);
  return c;
}

RegressionSplits load_regression_splits(const RegressionDataConfig& config) {
  const LibsvmData all = read_libsvm(config.path, config.num_features);
  const SplitIndices s = train_test_split_indices(all.X.dim(0), config.test_size, config.random_state);
  // The seed: val_size = int(X_train.shape[0] * val_split); validation is
  // X_train[:val_size], training X_train[val_size:].
  const auto val_size = static_cast<std::size_t>(std::floor(static_cast<double>(s.train.size()) * config.val_split));
  CONVLAB_CHECK(val_size < s.train.size(), "regression data: val_split " << config.val_split
                                                                        << " leaves no training sample");
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
