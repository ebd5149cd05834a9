// The fused conv_relu_pool on the CPU against the chain of the reference
// ops, its gradients against numerical ones, and its cache checks.
#include <gtest/gtest.h>

#include "threaded_test_util.h"
#include "expect_error.h"
#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "host/ops/conv/conv_direct.h"

using namespace convlab;
using namespace convlab::test;

namespace {

struct Case {
  Shape x, w;
  ConvParam cp;
  PoolParam pp;
};

const Case kCases[] = {
    {{2, 3, 8, 8}, {4, 3, 7, 7}, {1, 3}, {2, 2, 2}},      // ThreeLayerConvNet's block, smaller
    {{3, 2, 9, 7}, {13, 2, 3, 3}, {1, 1}, {3, 3, 2}},     // overlapping 3x3 windows, 13 filters, odd sizes
    {{1, 1, 6, 11}, {2, 1, 3, 2}, {2, 0}, {2, 2, 1}},     // stride-2 conv (GEMM path), stride-1 pool
    {{4, 3, 5, 5}, {7, 3, 1, 1}, {1, 0}, {2, 2, 2}},      // 1x1 filter, pool windows that miss the last row
    {{2, 4, 16, 16}, {32, 4, 3, 3}, {1, 1}, {2, 2, 2}},   // 32 filters, whole chunks of 16 columns
};

void check_case(const Case& c, DType dt, uint32_t seed) {
  SCOPED_TRACE("x " + shape_str(c.x) + " w " + shape_str(c.w) + " stride " + std::to_string(c.cp.stride) + " pad " +
               std::to_string(c.cp.pad) + " pool " + std::to_string(c.pp.pool_height) + "x" +
               std::to_string(c.pp.pool_width) + "/" + std::to_string(c.pp.stride));
  NumpyRandom rng(seed);
  Tensor x = randn_as(rng, c.x, dt), w = randn_as(rng, c.w, dt), b = randn_as(rng, {c.w[0]}, dt);
  expect_fast_layer_matches(
      rng, dt, x.shape(), [&](const std::string& v) { return conv_relu_pool_forward(x, w, b, c.cp, c.pp, v); },
      conv_relu_pool_backward, conv_relu_pool_backward_params);
}

}  // namespace

TEST(CpuFastConvReluPool, MatchesTheReferenceChain) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 1;
    for (const auto& c : kCases) check_case(c, dt, seed++);
  });
}

TEST(CpuFastConvReluPool, MatchesTheReferenceChainWithoutTheDirectKernels) {
  const bool direct = threaded::set_direct_conv_enabled(false);
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 11;
    for (const auto& c : kCases) check_case(c, dt, seed++);
  });
  threaded::set_direct_conv_enabled(direct);
}

// The conv notebook's conv_relu_pool check through the fused variant.
TEST(CpuFastConvReluPool, GradientsMatchNumericalGradients) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {2, 3, 16, 16}), w = randn(rng, {3, 3, 3, 3}), b = randn(rng, {3});
  Tensor dout = randn(rng, {2, 3, 8, 8});
  const ConvParam cp{1, 1};
  const PoolParam pp{2, 2, 2};
  auto f = [&](const Tensor& xv, const Tensor& wv, const Tensor& bv) {
    return conv_relu_pool_forward(xv, wv, bv, cp, pp, "threaded").out;
  };
  Grads g = conv_relu_pool_backward(dout, conv_relu_pool_forward(x, w, b, cp, pp, "threaded").cache, "threaded");
  EXPECT_GRAD_CLOSE(g.dx, eval_numerical_gradient_array([&](const Tensor& v) { return f(v, w, b); }, x, dout), "dx");
  EXPECT_GRAD_CLOSE(g.dw, eval_numerical_gradient_array([&](const Tensor& v) { return f(x, v, b); }, w, dout), "dw");
  EXPECT_GRAD_CLOSE(g.db, eval_numerical_gradient_array([&](const Tensor& v) { return f(x, w, v); }, b, dout), "db");
}

TEST(CpuFastConvReluPool, IsTheCpuDefaultAndChecksItsCache) {
  EXPECT_EQ(OpRegistry<ConvReluPoolImpl>::default_variant(Device::cpu), "threaded");
  NumpyRandom rng(3);
  Tensor x = randn(rng, {2, 3, 6, 6}), w = randn(rng, {4, 3, 3, 3}), b = randn(rng, {4});
  auto fused = conv_relu_pool_forward(x, w, b, {1, 1}, {2, 2, 2}, "threaded");
  auto chain = conv_relu_pool_forward(x, w, b, {1, 1}, {2, 2, 2}, "reference");
  Tensor dout = randn(rng, {2, 4, 3, 3});
  EXPECT_ERROR_CONTAINS(conv_relu_pool_backward(dout, fused.cache, "reference"), "fused variant");
  EXPECT_ERROR_CONTAINS(conv_relu_pool_backward(dout, chain.cache, "threaded"), "does not come from the fused variant");
  EXPECT_ERROR_CONTAINS(conv_relu_pool_backward(randn(rng, {2, 4, 2, 2}), fused.cache, "threaded"), "dout");
  EXPECT_ERROR_CONTAINS(conv_relu_pool_forward(x, w, b, {1, 1}, {7, 7, 1}, "threaded"), "larger than the input");
  EXPECT_ERROR_CONTAINS(conv_relu_pool_forward(x, randn(rng, {4, 2, 3, 3}), b, {1, 1}, {2, 2, 2}, "threaded"),
                        "channel mismatch");
}
