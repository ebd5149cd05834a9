// Feature-wise standardisation z = (x - mean) / std, fitted on one split
// (the training set) and applied to others, as simple_ml's Standardizer:
// population std (ddof = 0). A constant column (std 0) is scaled by 1
// instead of dividing by zero (as scikit-learn's StandardScaler does).
#pragma once
#include <vector>

#include "host/tensor.h"

namespace convlab {

class Standardizer {
 public:
  // X: (n, d) float32/float64 CPU tensor, n >= 2.
  void fit(const Tensor& X);
  // New tensor (x - mean) / std of X's dtype; X must have d columns.
  Tensor transform(const Tensor& X) const;
  Tensor inverse_transform(const Tensor& Z) const;

  bool fitted() const { return !mean_.empty(); }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& std() const { return std_; }  // as fitted (0 for a constant column)

 private:
  Tensor apply(const Tensor& X, bool inverse) const;
  std::vector<double> mean_, std_;
};

}  // namespace convlab
