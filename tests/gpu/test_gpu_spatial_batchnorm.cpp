// CUDA spatial batchnorm variants against the CPU reference (train and test
// mode, running statistics, cache, backward; float32 and float64) and the
// notebook's numerical gradient check in float64.
#include "gpu/norm_gpu_test_util.h"

namespace convlab::test {
namespace {

const std::vector<Shape> kShapes = {
    {2, 3, 4, 5}, {1, 1, 3, 7}, {8, 16, 9, 11}, {4, 2, 64, 64}, {64, 3, 32, 32}, {3, 5, 1, 1}, {2, 40, 7, 3},
};

TEST(GpuSpatialBatchnorm, EveryVariantMatchesReference) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(11);
  const auto variants = OpRegistry<SpatialBatchNormImpl>::variants(Device::cuda);
  ASSERT_GE(variants.size(), 2u);
  for (const auto& v : variants)
    for (DType dt : {DType::f32, DType::f64})
      for (const Shape& s : kShapes)
        for (Mode mode : {Mode::train, Mode::test}) {
          BatchNormParam p;
          p.mode = mode;
          p.running_mean = random_tensor(rng, {s[1]}, dt);
          p.running_var = uniform(rng, {s[1]}, 0.5, 2.5, dt);  // positive
          expect_norm_variant_matches<SpatialBatchNormImpl>(v, &SpatialBatchNormImpl::backward, s, s[1], p, dt, rng);
        }
}

TEST(GpuSpatialBatchnorm, CreatesRunningStats) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(12);
  for (const auto& v : OpRegistry<SpatialBatchNormImpl>::variants(Device::cuda))
    expect_norm_variant_matches<SpatialBatchNormImpl>(v, &SpatialBatchNormImpl::backward, {5, 4, 6, 2}, 4,
                                                      BatchNormParam{}, DType::f32, rng);
}

TEST(GpuSpatialBatchnorm, NumericalGradientsThroughEveryVariant) {
  CONVLAB_REQUIRE_GPU();
  for (const auto& v : OpRegistry<SpatialBatchNormImpl>::variants(Device::cuda))
    expect_numeric_gradients<SpatialBatchNormImpl>(v, &SpatialBatchNormImpl::backward, {2, 3, 4, 5}, 3,
                                                   BatchNormParam{}, 1e-6);
}

TEST(GpuSpatialBatchnorm, FastIsTheDefault) {
  EXPECT_EQ(OpRegistry<SpatialBatchNormImpl>::default_variant(Device::cuda), "warp");
}

}  // namespace
}  // namespace convlab::test
