// Helpers for the normalisation tests: the notebooks' two-layer activations
// and numpy-style means/stds along axes.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/fill.h"
#include "host/tensor.h"

namespace convlab::test {

// np.maximum(0, X.dot(W1)).dot(W2) in float64.
inline Tensor relu_matmul_matmul(const Tensor& X, const Tensor& W1, const Tensor& W2) {
  const int64_t N = X.dim(0), D1 = X.dim(1), D2 = W1.dim(1), D3 = W2.dim(1);
  const auto x = X.to_vector(), w1 = W1.to_vector(), w2 = W2.to_vector();
  std::vector<double> h(N * D2, 0.0), a(N * D3, 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < D2; ++j) {
      double s = 0;
      for (int64_t k = 0; k < D1; ++k) s += x[n * D1 + k] * w1[k * D2 + j];
      h[n * D2 + j] = s > 0 ? s : 0;
    }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < D3; ++j) {
      double s = 0;
      for (int64_t k = 0; k < D2; ++k) s += h[n * D2 + k] * w2[k * D3 + j];
      a[n * D3 + j] = s;
    }
  return Tensor::from_vector(a, {N, D3});
}

// scale * np.random.randn(*shape) + shift, float64.
inline Tensor randn_affine(NumpyRandom& rng, Shape shape, double scale, double shift) {
  Tensor t = randn(rng, std::move(shape), DType::f64, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.set_item(i, t.item(i) + shift);
  return t;
}

struct MeanStd {
  std::vector<double> mean, std;
};

// Statistics of x viewed as (A, K, B) per k over (A, B): x.mean(axis=(0, 2, 3))
// for (N, C, H, W) with A=N, K=C, B=H*W; axis=0 of (N, D) with B=1; axis=1 of
// (N, D) with A=1, K=N, B=D.
inline MeanStd stats_over(const Tensor& x, int64_t A, int64_t K, int64_t B) {
  const auto v = x.to_vector();
  MeanStd r{std::vector<double>(K, 0.0), std::vector<double>(K, 0.0)};
  for (int64_t a = 0; a < A; ++a)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t b = 0; b < B; ++b) r.mean[k] += v[(a * K + k) * B + b];
  for (auto& m : r.mean) m /= double(A * B);
  for (int64_t a = 0; a < A; ++a)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t b = 0; b < B; ++b) {
        const double d = v[(a * K + k) * B + b] - r.mean[k];
        r.std[k] += d * d;
      }
  for (auto& s : r.std) s = std::sqrt(s / double(A * B));
  return r;
}
inline MeanStd stats_axis0(const Tensor& x) { return stats_over(x, x.dim(0), x.dim(1), 1); }
inline MeanStd stats_axis1(const Tensor& x) { return stats_over(x, 1, x.dim(0), x.dim(1)); }
inline MeanStd stats_channels(const Tensor& x) { return stats_over(x, x.dim(0), x.dim(1), x.dim(2) * x.dim(3)); }

// Element-wise |got - want| <= tol.
inline void expect_near_all(const std::vector<double>& got, const std::vector<double>& want, double tol,
                            const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << what << " [" << i << "]";
}

// Transpose of a 2-D float64 tensor.
inline Tensor transpose2d(const Tensor& x) {
  const int64_t R = x.dim(0), C = x.dim(1);
  Tensor t({C, R}, x.dtype());
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) t.set_item(c * R + r, x.item(r * C + c));
  return t;
}

}  // namespace convlab::test
