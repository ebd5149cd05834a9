// The fast CPU spatial group norm against the CPU reference; numerical gradients.
#include <gtest/gtest.h>

#include "threaded_norm_check.h"

using namespace convlab;
using namespace convlab::test;

namespace {

NormForwardFn forward_with(int G) {
  return [G](const Tensor& x, const Tensor& g, const Tensor& b, const std::string& v) {
    GroupNormParam p;
    p.G = G;
    return spatial_groupnorm_forward(x, g, b, p, v);
  };
}
NormGrads backward(const Tensor& d, const NormCache& c, const std::string& v) {
  return spatial_groupnorm_backward(d, c, v);
}

}  // namespace

TEST(CpuFastSpatialGroupnorm, MatchesReference) {
  struct Case {
    Shape x;
    int G;
  };
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 50;
    for (const Case& c : {Case{{2, 6, 4, 5}, 2}, Case{{1, 1, 3, 7}, 1}, Case{{3, 4, 2, 2}, 4},
                          Case{{50, 32, 16, 16}, 8}, Case{{2, 12, 1, 1}, 3}}) {
      SCOPED_TRACE("G " + std::to_string(c.G));
      expect_norm_matches(forward_with(c.G), backward, c.x, c.x[1], dt, seed++);
    }
  });
}

TEST(CpuFastSpatialGroupnorm, GradientsMatchNumericalGradients) {
  expect_norm_gradients(forward_with(2), backward, {2, 6, 4, 5}, 6);
  expect_norm_gradients(forward_with(3), backward, {3, 3, 2, 3}, 3);
}

TEST(CpuFastSpatialGroupnorm, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<SpatialGroupNormImpl>::default_variant(Device::cpu), "threaded");
  GroupNormParam p;
  p.G = 4;  // does not divide C = 6
  EXPECT_THROW(spatial_groupnorm_forward(Tensor({2, 6, 3, 3}), Tensor({6}), Tensor({6}), p, "threaded"), Error);
}
