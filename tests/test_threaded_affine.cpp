// The fast CPU affine (BLAS GEMM) against the CPU reference, and its
// gradients against numerical ones.
#include <gtest/gtest.h>

#include "host/ops/affine/affine.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

TEST(CpuFastAffine, MatchesReference) {
  const std::pair<Shape, int64_t> cases[] = {
      {{2, 4, 5, 6}, 3},        // the notebook's affine_forward check
      {{1, 1}, 1},              // N = 1, D = 1, M = 1
      {{7, 3, 2}, 5},           // 3-d input
      {{50, 32, 16, 16}, 100},  // ThreeLayerConvNet's hidden layer
      {{33, 17}, 65},           // odd sizes
  };
  for_each_dtype_and_threads([&](DType dt) {
    uint32_t seed = 3;
    for (const auto& [xs, M] : cases) {
      SCOPED_TRACE("x " + shape_str(xs) + ", M " + std::to_string(M));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, xs, dt);
      const int64_t D = x.numel() / xs[0];
      Tensor w = randn_as(rng, {D, M}, dt);
      Tensor b = randn_as(rng, {M}, dt);
      expect_fast_layer_matches(
          rng, dt, x.shape(), [&](const std::string& v) { return affine_forward(x, w, b, v); }, affine_backward,
          affine_backward_params);
    }
  });
}

TEST(CpuFastAffine, GradientsMatchNumericalGradients) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 2, 3}), w = randn(rng, {6, 5}), b = randn(rng, {5});
  Tensor dout = randn(rng, {10, 5});
  auto fwd = affine_forward(x, w, b, "threaded");
  Grads g = affine_backward(dout, fwd.cache, "threaded");
  EXPECT_GRAD_CLOSE(
      g.dx,
      eval_numerical_gradient_array([&](const Tensor& v) { return affine_forward(v, w, b, "threaded").out; }, x, dout),
      "dx");
  EXPECT_GRAD_CLOSE(
      g.dw,
      eval_numerical_gradient_array([&](const Tensor& v) { return affine_forward(x, v, b, "threaded").out; }, w, dout),
      "dw");
  EXPECT_GRAD_CLOSE(
      g.db,
      eval_numerical_gradient_array([&](const Tensor& v) { return affine_forward(x, w, v, "threaded").out; }, b, dout),
      "db");
}

TEST(CpuFastAffine, IsTheCpuDefaultAndRejectsBadShapes) {
  EXPECT_EQ(OpRegistry<AffineImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_THROW(affine_forward(Tensor({2, 3}), Tensor({4, 5}), Tensor({5}), "threaded"), Error);
  EXPECT_THROW(affine_forward(Tensor({2, 3}), Tensor({3, 5}), Tensor({4}), "threaded"), Error);
  auto fwd = affine_forward(Tensor({2, 3}), Tensor({3, 5}), Tensor({5}), "threaded");
  EXPECT_THROW(affine_backward(Tensor({2, 4}), fwd.cache, "threaded"), Error);
}
