// CUDA batchnorm variants against the CPU reference (forward in train and
// test mode, running statistics, cache, backward and backward_alt, float32
// and float64) and the notebook's numerical gradient check in float64.
#include "gpu/norm_gpu_test_util.h"

namespace convlab::test {
namespace {

const std::vector<Shape> kShapes = {
    {4, 5}, {1, 7}, {3, 1}, {100, 500}, {50, 33}, {7, 1000}, {2000, 70}, {64, 4099}, {513, 3},
};

BatchNormParam random_running_stats(NumpyRandom& rng, int64_t D, DType dt, Mode mode) {
  BatchNormParam p;
  p.mode = mode;
  p.running_mean = random_tensor(rng, {D}, dt);
  p.running_var = uniform(rng, {D}, 0.5, 2.5, dt);  // positive
  return p;
}

TEST(GpuBatchnorm, EveryVariantMatchesReferenceInTrainMode) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(1);
  const auto variants = OpRegistry<BatchNormImpl>::variants(Device::cuda);
  ASSERT_GE(variants.size(), 2u);
  for (const auto& v : variants)
    for (DType dt : {DType::f32, DType::f64})
      for (const Shape& s : kShapes) {
        // Running statistics created by the op (empty) and updated from given values.
        expect_norm_variant_matches<BatchNormImpl>(v, &BatchNormImpl::backward, s, s[1], BatchNormParam{}, dt, rng);
        expect_norm_variant_matches<BatchNormImpl>(v, &BatchNormImpl::backward_alt, s, s[1],
                                                   random_running_stats(rng, s[1], dt, Mode::train), dt, rng);
      }
}

TEST(GpuBatchnorm, EveryVariantMatchesReferenceInTestMode) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(2);
  for (const auto& v : OpRegistry<BatchNormImpl>::variants(Device::cuda))
    for (DType dt : {DType::f32, DType::f64})
      for (const Shape& s : {Shape{4, 5}, Shape{1, 7}, Shape{300, 129}}) {
        expect_norm_variant_matches<BatchNormImpl>(v, &BatchNormImpl::backward, s, s[1],
                                                   random_running_stats(rng, s[1], dt, Mode::test), dt, rng);
        expect_norm_variant_matches<BatchNormImpl>(v, &BatchNormImpl::backward_alt, s, s[1],
                                                   random_running_stats(rng, s[1], dt, Mode::test), dt, rng);
      }
}

TEST(GpuBatchnorm, RunningStatsAccumulateOverSteps) {
  CONVLAB_REQUIRE_GPU();
  for (const auto& v : OpRegistry<BatchNormImpl>::variants(Device::cuda)) {
    NumpyRandom rng(3);
    BatchNormParam pc, pg;
    for (int step = 0; step < 5; ++step) {
      const Tensor x = random_tensor(rng, {60, 37}, DType::f64, 2.0, 1.0 + step);
      const Tensor gamma = random_tensor(rng, {37}, DType::f64), beta = random_tensor(rng, {37}, DType::f64);
      cpu_reference<BatchNormImpl>().forward(x, gamma, beta, pc);
      OpRegistry<BatchNormImpl>::get(Device::cuda, v).forward(on_gpu(x), on_gpu(gamma), on_gpu(beta), pg);
    }
    expect_param_matches(pg, pc, DType::f64, "batchnorm/" + v + " after 5 steps");
  }
}

TEST(GpuBatchnorm, NumericalGradientsThroughEveryVariant) {
  CONVLAB_REQUIRE_GPU();
  for (const auto& v : OpRegistry<BatchNormImpl>::variants(Device::cuda)) {
    expect_numeric_gradients<BatchNormImpl>(v, &BatchNormImpl::backward, {4, 5}, 5, BatchNormParam{});
    expect_numeric_gradients<BatchNormImpl>(v, &BatchNormImpl::backward_alt, {4, 5}, 5, BatchNormParam{});
  }
}

TEST(GpuBatchnorm, BadInputGivesClearError) {
  CONVLAB_REQUIRE_GPU();
  for (const auto& v : OpRegistry<BatchNormImpl>::variants(Device::cuda)) {
    const auto& impl = OpRegistry<BatchNormImpl>::get(Device::cuda, v);
    BatchNormParam p;
    const Tensor x = Tensor::zeros({4, 5}, DType::f32, Device::cuda);
    EXPECT_ERROR_CONTAINS(
        impl.forward(x, Tensor::zeros({4}, DType::f32, Device::cuda), Tensor::zeros({5}, DType::f32, Device::cuda), p),
        "gamma");
    EXPECT_ERROR_CONTAINS(
        impl.forward(x, Tensor::zeros({5}, DType::f64, Device::cuda), Tensor::zeros({5}, DType::f32, Device::cuda), p),
        "gamma");
  }
}

TEST(GpuBatchnorm, FastIsTheDefault) { EXPECT_EQ(OpRegistry<BatchNormImpl>::default_variant(Device::cuda), "warp"); }

}  // namespace
}  // namespace convlab::test
