// Dataset splits as scikit-learn and the notebooks make them.
#pragma once
#include <cstdint>
#include <vector>

#include "host/tensor.h"

namespace convlab {

struct SplitIndices {
  std::vector<int64_t> train, test;
};

// sklearn.model_selection.train_test_split(..., test_size, random_state)
// with shuffling: perm = RandomState(random_state).permutation(n);
// test = perm[:ceil(test_size * n)], train = the rest, in permutation order.
SplitIndices train_test_split_indices(int64_t n, double test_size, uint32_t random_state);

// Rows idx of X (any rank >= 1, split along dim 0), gathered into a new CPU tensor.
Tensor take_rows(const Tensor& X, const std::vector<int64_t>& idx);

}  // namespace convlab
