// The fast CPU batchnorm against the CPU reference: train and test mode,
// running statistics, both backward passes; numerical gradients.
#include <gtest/gtest.h>

#include "threaded_norm_check.h"

using namespace convlab;
using namespace convlab::test;

namespace {

NormForwardFn train_forward() {
  return [](const Tensor& x, const Tensor& g, const Tensor& b, const std::string& v) {
    BatchNormParam p;
    return batchnorm_forward(x, g, b, p, v);
  };
}

}  // namespace

TEST(CpuFastBatchnorm, MatchesReferenceInTrainMode) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 20;
    for (const Shape& s : {Shape{4, 5}, Shape{1, 3}, Shape{200, 3}, Shape{50, 100}, Shape{7, 300}}) {
      expect_norm_matches(
          train_forward(),
          [](const Tensor& d, const NormCache& c, const std::string& v) { return batchnorm_backward(d, c, v); }, s,
          s[1], dt, seed);
      expect_norm_matches(
          train_forward(),
          [](const Tensor& d, const NormCache& c, const std::string& v) { return batchnorm_backward_alt(d, c, v); }, s,
          s[1], dt, seed++);
    }
  });
}

TEST(CpuFastBatchnorm, RunningStatisticsAndTestModeMatchReference) {
  for_each_dtype_and_threads([](DType dt) {
    NumpyRandom rng(21);
    const int64_t D = 70;
    Tensor gamma = randn_as(rng, {D}, dt), beta = randn_as(rng, {D}, dt);
    BatchNormParam pr, pf;
    pr.momentum = pf.momentum = 0.8;
    for (int step = 0; step < 5; ++step) {
      Tensor x = randn_as(rng, {30, D}, dt, 2.0);
      batchnorm_forward(x, gamma, beta, pr, "reference");
      batchnorm_forward(x, gamma, beta, pf, "threaded");
    }
    EXPECT_FAST_MATCHES(pf.running_mean, pr.running_mean, dt, "running_mean");
    EXPECT_FAST_MATCHES(pf.running_var, pr.running_var, dt, "running_var");
    pr.mode = pf.mode = Mode::test;
    Tensor x = randn_as(rng, {30, D}, dt, 2.0);
    auto ref = batchnorm_forward(x, gamma, beta, pr, "reference");
    auto fast = batchnorm_forward(x, gamma, beta, pf, "threaded");
    EXPECT_FAST_MATCHES(fast.out, ref.out, dt, "test-mode out");
    Tensor dout = randn_as(rng, {30, D}, dt);
    NormGrads gr = batchnorm_backward(dout, ref.cache, "reference");
    NormGrads gf = batchnorm_backward(dout, fast.cache, "threaded");
    EXPECT_FAST_MATCHES(gf.dx, gr.dx, dt, "test-mode dx");
    EXPECT_FAST_MATCHES(gf.dgamma, gr.dgamma, dt, "test-mode dgamma");
    EXPECT_FAST_MATCHES(gf.dbeta, gr.dbeta, dt, "test-mode dbeta");
  });
}

TEST(CpuFastBatchnorm, GradientsMatchNumericalGradients) {
  expect_norm_gradients(
      train_forward(),
      [](const Tensor& d, const NormCache& c, const std::string& v) { return batchnorm_backward(d, c, v); }, {4, 5}, 5);
  expect_norm_gradients(
      train_forward(),
      [](const Tensor& d, const NormCache& c, const std::string& v) { return batchnorm_backward_alt(d, c, v); }, {6, 3},
      3);
}

TEST(CpuFastBatchnorm, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<BatchNormImpl>::default_variant(Device::cpu), "threaded");
  BatchNormParam p;
  EXPECT_THROW(batchnorm_forward(Tensor({4, 5}), Tensor({4}), Tensor({5}), p, "threaded"), Error);
  p.eps = 0;
  EXPECT_THROW(batchnorm_forward(Tensor({4, 5}), Tensor({5}), Tensor({5}), p, "threaded"), Error);
  BatchNormParam q;
  q.running_mean = Tensor({4});
  EXPECT_THROW(batchnorm_forward(Tensor({4, 5}), Tensor({5}), Tensor({5}), q, "threaded"), Error);
}
