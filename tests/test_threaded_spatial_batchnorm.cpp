// The fast CPU spatial batchnorm against the CPU reference; numerical gradients.
#include <gtest/gtest.h>

#include "threaded_norm_check.h"

using namespace convlab;
using namespace convlab::test;

namespace {

NormForwardFn train_forward() {
  return [](const Tensor& x, const Tensor& g, const Tensor& b, const std::string& v) {
    BatchNormParam p;
    return spatial_batchnorm_forward(x, g, b, p, v);
  };
}
NormGrads backward(const Tensor& d, const NormCache& c, const std::string& v) {
  return spatial_batchnorm_backward(d, c, v);
}

}  // namespace

TEST(CpuFastSpatialBatchnorm, MatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 30;
    for (const Shape& s :
         {Shape{2, 3, 4, 5}, Shape{1, 1, 3, 7}, Shape{10, 4, 1, 1}, Shape{50, 32, 16, 16}, Shape{3, 130, 2, 3}})
      expect_norm_matches(train_forward(), backward, s, s[1], dt, seed++);
  });
}

TEST(CpuFastSpatialBatchnorm, RunningStatisticsAndTestModeMatchReference) {
  for_each_dtype_and_threads([](DType dt) {
    NumpyRandom rng(31);
    Tensor gamma = randn_as(rng, {3}, dt), beta = randn_as(rng, {3}, dt);
    BatchNormParam pr, pf;
    for (int step = 0; step < 4; ++step) {
      Tensor x = randn_as(rng, {5, 3, 6, 4}, dt, 3.0);
      spatial_batchnorm_forward(x, gamma, beta, pr, "reference");
      spatial_batchnorm_forward(x, gamma, beta, pf, "threaded");
    }
    EXPECT_FAST_MATCHES(pf.running_mean, pr.running_mean, dt, "running_mean");
    EXPECT_FAST_MATCHES(pf.running_var, pr.running_var, dt, "running_var");
    pr.mode = pf.mode = Mode::test;
    Tensor x = randn_as(rng, {5, 3, 6, 4}, dt, 3.0);
    auto ref = spatial_batchnorm_forward(x, gamma, beta, pr, "reference");
    auto fast = spatial_batchnorm_forward(x, gamma, beta, pf, "threaded");
    EXPECT_FAST_MATCHES(fast.out, ref.out, dt, "test-mode out");
    Tensor dout = randn_as(rng, x.shape(), dt);
    EXPECT_FAST_MATCHES(backward(dout, fast.cache, "threaded").dx, backward(dout, ref.cache, "reference").dx, dt,
                        "test-mode dx");
  });
}

TEST(CpuFastSpatialBatchnorm, GradientsMatchNumericalGradients) {
  expect_norm_gradients(train_forward(), backward, {2, 3, 4, 5}, 3);
}

TEST(CpuFastSpatialBatchnorm, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<SpatialBatchNormImpl>::default_variant(Device::cpu), "threaded");
  BatchNormParam p;
  EXPECT_THROW(spatial_batchnorm_forward(Tensor({2, 3, 4}), Tensor({3}), Tensor({3}), p, "threaded"), Error);
  EXPECT_THROW(spatial_batchnorm_forward(Tensor({2, 3, 4, 4}), Tensor({4}), Tensor({3}), p, "threaded"), Error);
}
