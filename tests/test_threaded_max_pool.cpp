// The fast CPU max_pool (threaded over planes, argmax kept in the cache)
// against the CPU reference, and its gradient against numerical ones.
#include <gtest/gtest.h>

#include <cmath>

#include "host/ops/max_pool/max_pool.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

namespace {

struct PoolCase {
  Shape x;
  PoolParam p;
};

const PoolCase kCases[] = {
    {{2, 3, 4, 4}, {2, 2, 2}},     // the notebook's check
    {{1, 1, 5, 7}, {2, 2, 2}},     // N = 1, C = 1, odd sizes: last row/column unused
    {{2, 3, 7, 6}, {3, 3, 2}},     // overlapping windows
    {{3, 2, 6, 9}, {3, 2, 1}},     // rectangular window, stride 1
    {{2, 2, 9, 8}, {2, 3, 3}},     // stride 3 (gaps between windows)
    {{2, 2, 4, 5}, {1, 1, 1}},     // 1x1 window: identity
    {{2, 3, 7, 7}, {2, 2, 1}},     // 2x2 overlapping
    {{1, 2, 8, 9}, {2, 2, 3}},     // 2x2 with gaps
    {{20, 3, 32, 32}, {2, 2, 2}},  // the seed's benchmark layer, fewer images
    {{2, 3, 6, 21}, {2, 2, 2}},    // 2x2: a block of 8 windows, then 2 more, odd width
};

}  // namespace

TEST(CpuFastMaxPool, MatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 5;
    for (const auto& c : kCases) {
      SCOPED_TRACE("x " + shape_str(c.x) + " pool " + std::to_string(c.p.pool_height) + "x" +
                   std::to_string(c.p.pool_width) + " stride " + std::to_string(c.p.stride));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, c.x, dt);
      auto ref = max_pool_forward(x, c.p, "reference");
      auto fast = max_pool_forward(x, c.p, "threaded");
      ASSERT_EQ(fast.out.shape(), ref.out.shape());
      EXPECT_EQ(norm_rel_error(fast.out, ref.out), 0.0);  // a maximum is exact
      ASSERT_TRUE(fast.cache.argmax.defined());
      EXPECT_EQ(fast.cache.argmax.dtype(), DType::i32);
      EXPECT_EQ(fast.cache.argmax.shape(), ref.out.shape());
      Tensor dout = randn_as(rng, ref.out.shape(), dt);
      Tensor dref = max_pool_backward(dout, ref.cache, "reference");
      EXPECT_FAST_MATCHES(max_pool_backward(dout, fast.cache, "threaded"), dref, dt, "dx");
      // A cache without argmax (from the reference forward) works too.
      EXPECT_FAST_MATCHES(max_pool_backward(dout, ref.cache, "threaded"), dref, dt, "dx from a reference cache");
    }
  });
}

TEST(CpuFastMaxPool, TiesResolveAsTheReference) {
  // Inputs from a few integers, so most windows hold equal maxima.
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 60;
    for (const auto& c : kCases) {
      NumpyRandom rng(seed++);
      Tensor x = randn(rng, c.x);
      for (int64_t i = 0; i < x.numel(); ++i) x.set_item(i, std::floor(x.item(i) * 1.5));
      x = x.to(dt);
      auto ref = max_pool_forward(x, c.p, "reference");
      auto fast = max_pool_forward(x, c.p, "threaded");
      Tensor dout = randn_as(rng, ref.out.shape(), dt);
      EXPECT_EQ(norm_rel_error(fast.out, ref.out), 0.0);
      EXPECT_FAST_MATCHES(max_pool_backward(dout, fast.cache, "threaded"),
                          max_pool_backward(dout, ref.cache, "reference"), dt, "dx with ties");
    }
  });
}

TEST(CpuFastMaxPool, TiesGoToTheFirstMaximumAndOverlapsAdd) {
  Tensor x = Tensor::full({1, 1, 3, 3}, 1.0, DType::f64);  // every window is a tie
  const PoolParam p{2, 2, 1};
  auto fwd = max_pool_forward(x, p, "threaded");
  const std::vector<double> argmax = fwd.cache.argmax.to_vector();
  EXPECT_EQ(argmax, (std::vector<double>{0, 1, 3, 4}));
  Tensor dout = Tensor::from_vector({1, 2, 3, 4}, {1, 1, 2, 2});
  Tensor dx = max_pool_backward(dout, fwd.cache, "threaded");
  EXPECT_EQ(dx.to_vector(), (std::vector<double>{1, 2, 0, 3, 4, 0, 0, 0, 0}));
}

TEST(CpuFastMaxPool, GradientMatchesNumericalGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {3, 2, 8, 7});
  for (const PoolParam& p : {PoolParam{2, 2, 2}, PoolParam{3, 3, 2}, PoolParam{2, 3, 1}}) {
    auto fwd = max_pool_forward(x, p, "threaded");
    Tensor dout = randn(rng, fwd.out.shape());
    Tensor dx_num =
        eval_numerical_gradient_array([&](const Tensor& v) { return max_pool_forward(v, p, "threaded").out; }, x, dout);
    EXPECT_GRAD_CLOSE(max_pool_backward(dout, fwd.cache, "threaded"), dx_num, "dx");
  }
}

TEST(CpuFastMaxPool, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<MaxPoolImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_THROW(max_pool_forward(Tensor({1, 1, 2, 2}), PoolParam{3, 3, 1}, "threaded"), Error);
  auto fwd = max_pool_forward(Tensor({1, 1, 4, 4}), PoolParam{2, 2, 2}, "threaded");
  EXPECT_THROW(max_pool_backward(Tensor({1, 1, 3, 2}), fwd.cache, "threaded"), Error);
  PoolCache bad = fwd.cache;
  bad.argmax = Tensor::full({1, 1, 2, 2}, 99.0, DType::i32);  // outside the 4x4 plane
  try {
    max_pool_backward(Tensor({1, 1, 2, 2}), bad, "threaded");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("argmax"), std::string::npos) << e.what();
  }
}
