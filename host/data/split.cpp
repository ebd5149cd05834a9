#include "host/data/split.h"

#include <cmath>
#include <cstring>

#include "host/random/numpy_random.h"

namespace convlab {

SplitIndices train_test_split_indices(int64_t n, double test_size, uint32_t random_state) {
  CONVLAB_CHECK(n >= 2, "train_test_split: need at least 2 samples, got " << n);
  CONVLAB_CHECK(test_size > 0.0 && test_size < 1.0,
                "train_test_split: test_size must be a fraction in (0, 1), got " << test_size);
  const auto n_test = static_cast<int64_t>(std::ceil(test_size * static_cast<double>(n)));
  CONVLAB_CHECK(n_test < n, "train_test_split: test_size " << test_size << " leaves no training sample of " << n);
  NumpyRandom rng(random_state);
  const std::vector<int64_t> perm = rng.permutation(n);
  SplitIndices s;
  s.test.assign(perm.begin(), perm.begin() + n_test);
  s.train.assign(perm.begin() + n_test, perm.end());
  return s;
}

Tensor take_rows(const Tensor& X, const std::vector<int64_t>& idx) {
  CONVLAB_CHECK(X.ndim() >= 1, "take_rows: expected a tensor of rank >= 1, got " << shape_str(X.shape()));
  CONVLAB_CHECK(X.device() == Device::cpu, "take_rows: expected a CPU tensor");
  Shape shape = X.shape();
  const int64_t rows = shape[0];
  shape[0] = static_cast<int64_t>(idx.size());
  Tensor out(shape, X.dtype());
  const std::size_t row_bytes = dtype_size(X.dtype()) * static_cast<std::size_t>(rows ? X.numel() / rows : 0);
  const char* src = static_cast<const char*>(X.raw());
  char* dst = static_cast<char*>(out.raw());
  for (std::size_t i = 0; i < idx.size(); ++i) {
    CONVLAB_CHECK(idx[i] >= 0 && idx[i] < rows,
                  "take_rows: index " << idx[i] << " out of range for " << shape_str(X.shape()));
    std::memcpy(dst + i * row_bytes, src + static_cast<std::size_t>(idx[i]) * row_bytes, row_bytes);
  }
  return out;
}

}  // namespace convlab
