// conv_relu_pool: the reference variant (the chain of the reference ops)
// against the conv notebook's check and the chain itself; the fused threaded
// CPU variant against the chain of the reference ops, its gradients against
// numerical ones, and its cache checks; the default CUDA variant against the
// CPU's default.
#include <gtest/gtest.h>

#include <cstdio>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/conv/conv_direct.h"
#include "host/ops/conv_relu_pool/conv_relu_pool.h"
#include "sandwich_test_util.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

class SeedConvNotebook : public ReferenceVariants {};
class SandwichRef : public ReferenceVariants {};

// Cell "Convolutional sandwich layers": conv_relu_pool.
TEST_F(SeedConvNotebook, ConvReluPoolNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {2, 3, 16, 16});
  Tensor w = randn(rng, {3, 3, 3, 3});
  Tensor b = randn(rng, {3});
  Tensor dout = randn(rng, {2, 3, 8, 8});
  const ConvParam conv_param{1, 1};
  const PoolParam pool_param{2, 2, 2};
  auto fwd = [&](const Tensor& xx, const Tensor& ww, const Tensor& bb) {
    return conv_relu_pool_forward(xx, ww, bb, conv_param, pool_param);
  };
  auto bwd = [](const Tensor& d, const ConvReluPoolCache& cache) { return conv_relu_pool_backward(d, cache); };
  Errors3 e = sandwich_errors(x, w, b, dout, fwd, bwd);
  std::printf("Testing conv_relu_pool\ndx error:  %g\ndw error:  %g\ndb error:  %g\n", e.dx, e.dw, e.db);
  // The notebook: "Relative errors should be around e-8 or less" (it printed 5.8e-9, 8.4e-9, 3.6e-10).
  EXPECT_LT(e.dx, 1e-7);
  EXPECT_LT(e.dw, 1e-7);
  EXPECT_LT(e.db, 1e-7);
}

TEST_F(SandwichRef, ConvReluPoolIsTheChainOfItsOps) {
  NumpyRandom rng(5);
  Tensor x = randn(rng, {1, 2, 9, 7}), w = randn(rng, {3, 2, 3, 2}), b = randn(rng, {3});
  const ConvParam cp{2, 1};
  const PoolParam pp{3, 3, 1};  // rectangular filter, stride 2 conv, overlapping pool
  Tensor chained = max_pool_forward(relu_forward(conv_forward(x, w, b, cp).out).out, pp).out;
  EXPECT_EQ(conv_relu_pool_forward(x, w, b, cp, pp).out.to_vector(), chained.to_vector());
}

// --- The threaded CPU variant ------------------------------------------------

namespace {

struct Case {
  Shape x, w;
  ConvParam cp;
  PoolParam pp;
};

const Case kCases[] = {
    {{2, 3, 8, 8}, {4, 3, 7, 7}, {1, 3}, {2, 2, 2}},     // ThreeLayerConvNet's block, smaller
    {{3, 2, 9, 7}, {13, 2, 3, 3}, {1, 1}, {3, 3, 2}},    // overlapping 3x3 windows, 13 filters, odd sizes
    {{1, 1, 6, 11}, {2, 1, 3, 2}, {2, 0}, {2, 2, 1}},    // stride-2 conv (GEMM path), stride-1 pool
    {{4, 3, 5, 5}, {7, 3, 1, 1}, {1, 0}, {2, 2, 2}},     // 1x1 filter, pool windows that miss the last row
    {{2, 4, 16, 16}, {32, 4, 3, 3}, {1, 1}, {2, 2, 2}},  // 32 filters, whole chunks of 16 columns
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

// --- On the GPU --------------------------------------------------------------

class ConvReluPoolGpu : public ::testing::TestWithParam<std::string> {};

TEST_P(ConvReluPoolGpu, MatchesCpu) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  NumpyRandom rng(61);
  for (DType dt : kBothDtypes) {
    const std::string what = variant + " " + dtype_label(dt);
    Tensor x = randn(rng, {2, 3, 16, 16}, dt), w = randn(rng, {3, 3, 3, 3}, dt), b = randn(rng, {3}, dt);
    const ConvParam cp{1, 1};
    const PoolParam pp{2, 2, 2};
    auto cpu = conv_relu_pool_forward(x, w, b, cp, pp);
    Tensor dout = randn(rng, cpu.out.shape(), dt);
    Grads cg = conv_relu_pool_backward(dout, cpu.cache);
    PoisonScope poison;
    auto dev = conv_relu_pool_forward(gpu(x), gpu(w), gpu(b), cp, pp, variant);
    ASSERT_TRUE(dev.out.is_cuda());
    EXPECT_GPU_MATCHES(dev.out, cpu.out, dt, "out " + what);
    Grads g = conv_relu_pool_backward(gpu(dout), dev.cache, variant);
    EXPECT_GPU_MATCHES(g.dx, cg.dx, dt, "dx " + what);
    EXPECT_GPU_MATCHES(g.dw, cg.dw, dt, "dw " + what);
    EXPECT_GPU_MATCHES(g.db, cg.db, dt, "db " + what);
    Grads gp = conv_relu_pool_backward_params(gpu(dout), dev.cache, variant);
    EXPECT_PARAMS_ONLY_MATCHES(gp, cg, dt, what);
  }
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(ConvReluPoolGpu, ConvReluPoolImpl);

// The fused variant computes what composed does, float for float: the same
// conv, relu's max taken after the window's (relu is monotone), and the
// gradient routed where the window's maximum is positive. Checked with many
// non-positive windows (negative bias), overlapping windows (3x3 stride 2,
// where an element can win several windows) and under a run precision (the
// conv is the precision's default).
TEST(ConvReluPoolGpuFused, SameFloatsAsComposed) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(62);
  for (const PoolParam pp : {PoolParam{2, 2, 2}, PoolParam{3, 3, 2}})
    for (MathPrecision prec : {MathPrecision::full, MathPrecision::tf32}) {
      const std::string what = "pool " + std::to_string(pp.pool_height) + " " + math_precision_name(prec);
      ScopedMathPrecision scope(Device::cuda, prec);
      Tensor x = gpu(randn(rng, {2, 4, 11, 11}, DType::f32)), w = gpu(randn(rng, {5, 4, 3, 3}, DType::f32));
      Tensor b = gpu(Tensor::full({5}, -1.0, DType::f32));
      auto fused = conv_relu_pool_forward(x, w, b, {1, 1}, pp, "fused");
      auto composed = conv_relu_pool_forward(x, w, b, {1, 1}, pp, "composed");
      EXPECT_EQ(fused.out.to_vector(), composed.out.to_vector()) << what;
      EXPECT_FALSE(fused.cache.relu.x.defined()) << what;  // no full-size relu output kept
      Tensor dout = gpu(randn(rng, fused.out.shape(), DType::f32));
      Grads gf = conv_relu_pool_backward(dout, fused.cache, "fused");
      Grads gc = conv_relu_pool_backward(dout, composed.cache, "composed");
      EXPECT_EQ(gf.dx.to_vector(), gc.dx.to_vector()) << what;
      EXPECT_EQ(gf.dw.to_vector(), gc.dw.to_vector()) << what;
      EXPECT_EQ(gf.db.to_vector(), gc.db.to_vector()) << what;
      EXPECT_ERROR_CONTAINS(conv_relu_pool_backward(dout, composed.cache, "fused"),
                            "does not come from the fused variant");
    }
}
