// Eigendecomposition of a small symmetric matrix (the 12 x 12 patch
// covariance of the whitening initialisation, models/layers/conv_layer.cpp)
// by the cyclic Jacobi method: rotations zero the off-diagonal elements one
// pair at a time, sweep after sweep, until they are below n x 1e-15 of the
// matrix's norm. O(n^3) per sweep, a handful of sweeps; meant for n up to a
// few hundred.
#pragma once
#include <cstdint>
#include <vector>

namespace convlab {

struct SymmetricEigen {
  std::vector<double> values;   // (n,), descending
  std::vector<double> vectors;  // (n, n) row-major: row i is the unit eigenvector of values[i]
};

// a: (n, n) row-major, symmetric (checked to 1e-12 of its largest element).
SymmetricEigen symmetric_eigen(const std::vector<double>& a, int64_t n);

}  // namespace convlab
