// The fast CPU softmax_loss against the CPU reference and numerical gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "host/ops/loss/loss.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

TEST(CpuFastSoftmaxLoss, MatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 9;
    for (auto [N, C] : {std::pair<int64_t, int64_t>{1, 1}, {1, 10}, {50, 10}, {2000, 37}}) {
      SCOPED_TRACE("N " + std::to_string(N) + " C " + std::to_string(C));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, {N, C}, dt, 3.0);
      Tensor y = randint(rng, 0, C, N);
      LossOut ref = softmax_loss(x, y, "reference");
      LossOut fast = softmax_loss(x, y, "threaded");
      EXPECT_EQ(fast.loss.shape(), Shape{});
      EXPECT_FAST_MATCHES(fast.loss, ref.loss, dt, "loss");
      EXPECT_FAST_MATCHES(fast.dx, ref.dx, dt, "dx");
    }
  });
}

TEST(CpuFastSoftmaxLoss, GradientMatchesNumericalGradientAndIsStable) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {50, 10}, DType::f64, 0.001);
  Tensor y = randint(rng, 0, 10, 50);
  LossOut r = softmax_loss(x, y, "threaded");
  EXPECT_NEAR(r.value(), std::log(10.0), 0.01);  // the notebook's sanity check
  Tensor dx_num = eval_numerical_gradient([&](const Tensor& v) { return softmax_loss(v, y, "threaded").value(); }, x);
  EXPECT_GRAD_CLOSE(r.dx, dx_num, "dx");
  Tensor big = Tensor::from_vector({1000, 0, -1000, 1000}, {2, 2}, DType::f32);  // no overflow
  LossOut s = softmax_loss(big, Tensor::from_vector({1, 0}, {2}, DType::i32), "threaded");
  EXPECT_NEAR(s.value(), (1000.0 + 2000.0) / 2, 1e-3);  // -log softmax = the gap to the row maximum
  for (double v : s.dx.to_vector()) EXPECT_TRUE(std::isfinite(v));
}

TEST(CpuFastSoftmaxLoss, IsTheCpuDefaultAndRejectsBadLabels) {
  EXPECT_EQ(OpRegistry<SoftmaxLossImpl>::default_variant(Device::cpu), "threaded");
  Tensor x({2, 3});
  EXPECT_THROW(softmax_loss(x, Tensor::from_vector({0, 3}, {2}, DType::i32), "threaded"), Error);
  EXPECT_THROW(softmax_loss(x, Tensor::from_vector({0, -1}, {2}, DType::i32), "threaded"), Error);
  EXPECT_THROW(softmax_loss(x, Tensor::from_vector({0}, {1}, DType::i32), "threaded"), Error);
}
