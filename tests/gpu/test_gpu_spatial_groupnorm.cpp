// CUDA spatial group norm variants against the CPU reference (forward,
// cache, backward; float32 and float64) and the notebook's numerical
// gradient check in float64.
#include "gpu/norm_gpu_test_util.h"

namespace convlab::test {
namespace {

struct Case {
  Shape x;
  int G;
};

// One channel per group, one group, S = 1, H != W, segments below and above
// the warp-per-segment limit (1024) and a long one.
const std::vector<Case> kCases = {
    {{2, 6, 4, 5}, 2},    {{1, 4, 3, 7}, 4},    {{2, 6, 4, 5}, 1}, {{3, 8, 16, 16}, 2},
    {{2, 16, 32, 32}, 4}, {{2, 64, 32, 32}, 2}, {{4, 3, 1, 1}, 3}, {{5, 12, 3, 9}, 6},
};

TEST(GpuSpatialGroupnorm, EveryVariantMatchesReference) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(31);
  const auto variants = OpRegistry<SpatialGroupNormImpl>::variants(Device::cuda);
  ASSERT_GE(variants.size(), 2u);
  for (const auto& v : variants)
    for (DType dt : {DType::f32, DType::f64})
      for (const Case& c : kCases) {
        GroupNormParam p;
        p.G = c.G;
        expect_norm_variant_matches<SpatialGroupNormImpl>(v, &SpatialGroupNormImpl::backward, c.x, c.x[1], p, dt, rng);
      }
}

TEST(GpuSpatialGroupnorm, NumericalGradientsThroughEveryVariant) {
  CONVLAB_REQUIRE_GPU();
  GroupNormParam p;
  p.G = 2;
  for (const auto& v : OpRegistry<SpatialGroupNormImpl>::variants(Device::cuda))
    expect_numeric_gradients<SpatialGroupNormImpl>(v, &SpatialGroupNormImpl::backward, {2, 6, 4, 5}, 6, p, 2e-7);
}

TEST(GpuSpatialGroupnorm, GroupsMustDivideChannels) {
  CONVLAB_REQUIRE_GPU();
  GroupNormParam p;
  p.G = 4;
  for (const auto& v : OpRegistry<SpatialGroupNormImpl>::variants(Device::cuda))
    EXPECT_ERROR_CONTAINS(
        OpRegistry<SpatialGroupNormImpl>::get(Device::cuda, v)
            .forward(Tensor::zeros({2, 6, 4, 5}, DType::f32, Device::cuda),
                     Tensor::zeros({6}, DType::f32, Device::cuda), Tensor::zeros({6}, DType::f32, Device::cuda), p),
        "divide");
}

TEST(GpuSpatialGroupnorm, FastIsTheDefault) {
  EXPECT_EQ(OpRegistry<SpatialGroupNormImpl>::default_variant(Device::cuda), "warp");
}

}  // namespace
}  // namespace convlab::test
