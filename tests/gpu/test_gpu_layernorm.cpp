// CUDA layernorm variants against the CPU reference (forward, cache,
// backward; float32 and float64) and the notebook's numerical gradient check
// in float64.
#include "gpu/norm_gpu_test_util.h"

namespace convlab::test {
namespace {

// D below, at and above the warp-per-row limit, not a multiple of 32, large.
const std::vector<Shape> kShapes = {
    {4, 5}, {1, 1}, {3, 33}, {16, 1000}, {5, 1024}, {5, 1025}, {2, 5000}, {300, 128}, {1, 20000},
};

TEST(GpuLayernorm, EveryVariantMatchesReference) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(21);
  const auto variants = OpRegistry<LayerNormImpl>::variants(Device::cuda);
  ASSERT_GE(variants.size(), 2u);
  for (const auto& v : variants)
    for (DType dt : {DType::f32, DType::f64})
      for (const Shape& s : kShapes)
        expect_norm_variant_matches<LayerNormImpl>(v, &LayerNormImpl::backward, s, s[1], LayerNormParam{}, dt, rng);
}

TEST(GpuLayernorm, NumericalGradientsThroughEveryVariant) {
  CONVLAB_REQUIRE_GPU();
  for (const auto& v : OpRegistry<LayerNormImpl>::variants(Device::cuda))
    expect_numeric_gradients<LayerNormImpl>(v, &LayerNormImpl::backward, {4, 5}, 5, LayerNormParam{});
}

TEST(GpuLayernorm, FastIsTheDefault) { EXPECT_EQ(OpRegistry<LayerNormImpl>::default_variant(Device::cuda), "warp"); }

}  // namespace
}  // namespace convlab::test
