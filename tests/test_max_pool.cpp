// CPU reference of max_pool: the conv notebook's checks with its own inputs
// and tolerances, overlapping windows, ties, shapes and errors.
#include <gtest/gtest.h>

#include <cstdio>

#include "use_reference_variants.h"
#include "expect_error.h"
#include "test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/max_pool/max_pool.h"

using namespace convlab;

namespace {

const char* kRef = "reference";

Tensor pool_out(const Tensor& x, const PoolParam& p) { return max_pool_forward(x, p, kRef).out; }

// Analytic vs numerical dx of sum(max_pool(x) * dout).
double pool_grad_error(Tensor x, const Tensor& dout, const PoolParam& p) {
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return pool_out(v, p); }, x, dout);
  auto fwd = max_pool_forward(x, p, kRef);
  return rel_error(max_pool_backward(dout, fwd.cache, kRef), dx_num);
}

}  // namespace

// Cell "Max-Pooling: Naive forward".
TEST(SeedConvNotebook, MaxPoolForwardNaiveMatchesCorrectOut) {
  Tensor x = linspace(-0.3, 0.4, {2, 3, 4, 4});
  Tensor out = pool_out(x, {2, 2, 2});
  Tensor correct_out = Tensor::from_vector(
      {-0.26315789, -0.24842105, -0.20421053, -0.18947368, -0.14526316, -0.13052632, -0.08631579, -0.07157895,
       -0.02736842, -0.01263158, 0.03157895,  0.04631579,  0.09052632,  0.10526316,  0.14947368,  0.16421053,
       0.20842105,  0.22315789,  0.26736842,  0.28210526,  0.32631579,  0.34105263,  0.38526316,  0.4},
      {2, 3, 2, 2});
  ASSERT_EQ(out.shape(), correct_out.shape());
  const double err = rel_error(out, correct_out);
  std::printf("Testing max_pool_forward_naive function:\ndifference:  %g\n", err);
  EXPECT_LT(err, 1e-7);  // the notebook: "Difference should be on the order of e-8"
}

// Cell "Max-Pooling: Naive backward".
TEST(SeedConvNotebook, MaxPoolBackwardNaiveNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {3, 2, 8, 8});
  Tensor dout = randn(rng, {3, 2, 4, 4});
  const double err = pool_grad_error(x, dout, {2, 2, 2});
  std::printf("Testing max_pool_backward_naive function:\ndx error:  %g\n", err);
  EXPECT_LT(err, 1e-11);  // the notebook: "Your error should be on the order of e-12"
}

TEST(MaxPoolRef, OverlappingWindowsForwardByHand) {
  // 3x3 plane, 2x2 pool, stride 1: four overlapping windows.
  Tensor x = Tensor::from_vector({1, 9, 2, 3, 4, 5, 8, 6, 7}, {1, 1, 3, 3});
  Tensor out = pool_out(x, {2, 2, 1});
  ASSERT_EQ(out.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(out.to_vector(), (std::vector<double>{9, 9, 8, 7}));
  // The 9 wins two windows: its gradient is the sum of both.
  auto fwd = max_pool_forward(x, {2, 2, 1}, kRef);
  Tensor dx = max_pool_backward(Tensor::from_vector({1, 10, 100, 1000}, {1, 1, 2, 2}), fwd.cache, kRef);
  EXPECT_EQ(dx.to_vector(), (std::vector<double>{0, 11, 0, 0, 0, 0, 100, 0, 1000}));
}

TEST(MaxPoolRef, TiesSendGradientToFirstMaxInRowMajorOrder) {
  Tensor x = Tensor::from_vector({0, 5, 5, 5, 1, 1, 2, 2}, {1, 1, 2, 4});
  auto fwd = max_pool_forward(x, {2, 2, 2}, kRef);
  EXPECT_EQ(fwd.out.to_vector(), (std::vector<double>{5, 5}));
  Tensor dx = max_pool_backward(Tensor::from_vector({1, 2}, {1, 1, 1, 2}), fwd.cache, kRef);
  // Window 0 holds {0, 5 / 1, 1}: first max at (0, 1). Window 1 holds {5, 5 / 2, 2}: first max at (0, 2).
  EXPECT_EQ(dx.to_vector(), (std::vector<double>{0, 1, 2, 0, 0, 0, 0, 0}));
}

TEST(MaxPoolRef, OutputSizeRoundsDown) {
  Tensor x({1, 1, 7, 6}, DType::f64);
  PoolDims d = pool_dims(x, {3, 3, 2});  // 1 + 4/2 = 3, 1 + 3/2 = 2
  EXPECT_EQ(d.Hout, 3);
  EXPECT_EQ(d.Wout, 2);
  EXPECT_EQ(pool_out(x, {2, 3, 3}).shape(), (Shape{1, 1, 2, 2}));  // 1 + 5/3 = 2, 1 + 3/3 = 2
}

struct PoolCase {
  Shape x;
  PoolParam p;
};

class MaxPoolRefShapes : public ::testing::TestWithParam<PoolCase> {};

TEST_P(MaxPoolRefShapes, NumericGradient) {
  const PoolCase& c = GetParam();
  NumpyRandom rng(5);
  Tensor x = randn(rng, c.x);  // continuous values: ties have probability zero
  Tensor dout = randn(rng, pool_out(x, c.p).shape());
  EXPECT_LT(pool_grad_error(x, dout, c.p), 1e-11);
}

INSTANTIATE_TEST_SUITE_P(NotInTheNotebook, MaxPoolRefShapes,
                         ::testing::Values(PoolCase{{1, 1, 4, 4}, {2, 2, 2}},    // N = 1, C = 1
                                           PoolCase{{2, 3, 6, 6}, {2, 2, 1}},    // overlapping, stride 1
                                           PoolCase{{2, 2, 7, 7}, {3, 3, 2}},    // overlapping 3x3, stride 2
                                           PoolCase{{1, 2, 6, 9}, {2, 3, 3}},    // rectangular image and pool
                                           PoolCase{{2, 1, 5, 7}, {2, 2, 2}},    // sizes that do not tile
                                           PoolCase{{1, 2, 4, 5}, {4, 5, 1}}),  // pool = whole plane
                         [](const ::testing::TestParamInfo<PoolCase>& info) {
                           const PoolCase& c = info.param;
                           return "x" + test::shape_tag(c.x) + "_pool" + std::to_string(c.p.pool_height) + "x" +
                                  std::to_string(c.p.pool_width) + "_stride" + std::to_string(c.p.stride);
                         });

TEST(MaxPoolRef, Float32AgreesWithFloat64) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {2, 3, 9, 9});
  const PoolParam p{3, 3, 2};
  auto f64 = max_pool_forward(x, p, kRef);
  auto f32 = max_pool_forward(x.to(DType::f32), p, kRef);
  EXPECT_EQ(f32.out.dtype(), DType::f32);
  EXPECT_LT(rel_error(f32.out, f64.out), 1e-6);
  Tensor dout = randn(rng, f64.out.shape());
  EXPECT_LT(rel_error(max_pool_backward(dout.to(DType::f32), f32.cache, kRef),
                      max_pool_backward(dout, f64.cache, kRef)),
            1e-6);
}

TEST(MaxPoolRef, BadShapesAndParamsThrowClearErrors) {
  Tensor x({2, 3, 4, 4}, DType::f64);
  EXPECT_ERROR_CONTAINS(pool_out(x, {2, 2, 0}), "stride must be positive");
  EXPECT_ERROR_CONTAINS(pool_out(x, {0, 2, 2}), "pool_height and pool_width must be positive");
  EXPECT_ERROR_CONTAINS(pool_out(x, {2, -1, 2}), "pool_height and pool_width must be positive");
  EXPECT_ERROR_CONTAINS(pool_out(x, {5, 2, 2}), "larger than the input");
  EXPECT_ERROR_CONTAINS(pool_out(Tensor({3, 4, 4}, DType::f64), {2, 2, 2}), "x must have shape (N, C, H, W)");
  EXPECT_ERROR_CONTAINS(pool_out(Tensor({2, 3, 4, 4}, DType::i32), {2, 2, 2}), "float32 or float64");
  auto fwd = max_pool_forward(x, {2, 2, 2}, kRef);
  EXPECT_ERROR_CONTAINS(max_pool_backward(Tensor({2, 3, 3, 3}, DType::f64), fwd.cache, kRef),
                        "max_pool_backward: dout");
  EXPECT_ERROR_CONTAINS(max_pool_backward(Tensor({2, 3, 2, 2}, DType::f32), fwd.cache, kRef), "float32");
}
