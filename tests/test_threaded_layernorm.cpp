// The fast CPU layernorm against the CPU reference; numerical gradients.
#include <gtest/gtest.h>

#include "threaded_norm_check.h"

using namespace convlab;
using namespace convlab::test;

namespace {

Forward<NormCache> forward(const Tensor& x, const Tensor& g, const Tensor& b, const std::string& v) {
  return layernorm_forward(x, g, b, LayerNormParam{}, v);
}
NormGrads backward(const Tensor& d, const NormCache& c, const std::string& v) { return layernorm_backward(d, c, v); }

}  // namespace

TEST(CpuFastLayernorm, MatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 40;
    for (const Shape& s : {Shape{4, 5}, Shape{1, 3}, Shape{3, 1}, Shape{50, 100}, Shape{200, 513}})
      expect_norm_matches(forward, backward, s, s[1], dt, seed++);
  });
}

TEST(CpuFastLayernorm, GradientsMatchNumericalGradients) { expect_norm_gradients(forward, backward, {4, 5}, 5); }

TEST(CpuFastLayernorm, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<LayerNormImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_THROW(layernorm_forward(Tensor({4, 5}), Tensor({4}), Tensor({5}), LayerNormParam{}, "threaded"), Error);
  EXPECT_THROW(layernorm_forward(Tensor({4, 5}), Tensor({5}), Tensor({5}), LayerNormParam{-1.0}, "threaded"), Error);
}
