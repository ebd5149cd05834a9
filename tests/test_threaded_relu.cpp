// The fast CPU relu against the CPU reference.
#include <gtest/gtest.h>

#include "host/ops/relu/relu.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

TEST(CpuFastRelu, MatchesReferenceExactly) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 7;
    for (const Shape& s : {Shape{1}, Shape{3, 4}, Shape{2, 3, 5, 7}, Shape{50, 32, 32, 32}}) {
      SCOPED_TRACE("x " + shape_str(s));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, s, dt);
      auto ref = relu_forward(x, "reference");
      auto fast = relu_forward(x, "threaded");
      EXPECT_EQ(norm_rel_error(fast.out, ref.out), 0.0);
      Tensor dout = randn_as(rng, s, dt);
      EXPECT_EQ(
          norm_rel_error(relu_backward(dout, fast.cache, "threaded"), relu_backward(dout, ref.cache, "reference")),
          0.0);
    }
  });
}

TEST(CpuFastRelu, GradientMatchesNumericalGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10});
  Tensor dout = randn(rng, {10, 10});
  auto fwd = relu_forward(x, "threaded");
  Tensor dx_num =
      eval_numerical_gradient_array([](const Tensor& v) { return relu_forward(v, "threaded").out; }, x, dout);
  EXPECT_GRAD_CLOSE(relu_backward(dout, fwd.cache, "threaded"), dx_num, "dx");
}

TEST(CpuFastRelu, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<ReluImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_THROW(relu_forward(Tensor({2, 2}, DType::i32), "threaded"), Error);
  auto fwd = relu_forward(Tensor({2, 2}), "threaded");
  EXPECT_THROW(relu_backward(Tensor({2, 3}), fwd.cache, "threaded"), Error);
}
