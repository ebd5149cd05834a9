// layernorm: the CPU reference against the batch normalization notebook's
// layer normalization cells (np.random.seed(231); expected statistics computed
// with numpy from the same inputs) and its own edge cases; the threaded CPU
// variant against the reference and numerical gradients; the CUDA variants
// against the CPU reference (forward, cache, backward; float32 and float64)
// and the notebook's numerical gradient check in float64.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "host/gradcheck.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/layernorm/layernorm.h"
#include "norm_gpu_test_util.h"
#include "norm_test_util.h"
#include "test_util.h"
#include "threaded_norm_check.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

class SeedBatchnormNotebookLayernorm : public ReferenceVariants {};
class LayernormReference : public ReferenceVariants {};

// Cell "Layer Normalizacija: Implementacija" forward (N=4 rows of the two-layer activations).
TEST_F(SeedBatchnormNotebookLayernorm, ForwardMeansAndStds) {
  NumpyRandom rng(231);
  const Tensor X = randn(rng, {4, 50}), W1 = randn(rng, {50, 60}), W2 = randn(rng, {60, 3});
  const Tensor a = relu_matmul_matmul(X, W1, W2);
  const MeanStd before = stats_axis1(a);
  expect_near_all(before.mean, {-59.06673242523842, -47.60782686006104, -43.31137368246004, -26.409917441362484}, 1e-9,
                  "before mean");
  expect_near_all(before.std, {10.074293727832744, 28.3947898145354, 35.28360728716199, 4.0183150740905536}, 1e-9,
                  "before std");
  const LayerNormParam p;
  auto f1 = layernorm_forward(a, Tensor::full({3}, 1.0, DType::f64), Tensor::zeros({3}, DType::f64), p);
  const MeanStd after = stats_axis1(f1.out);
  expect_near_all(after.mean, {0, 0, 0, 0}, 1e-12, "after mean");
  expect_near_all(after.std, {0.9999999507347429, 0.9999999937985581, 0.9999999959837194, 0.9999996903423387}, 1e-12,
                  "after std");
  auto f2 = layernorm_forward(a, Tensor::full({3}, 3.0, DType::f64), Tensor::full({3}, 5.0, DType::f64), p);
  const MeanStd after2 = stats_axis1(f2.out);
  expect_near_all(after2.mean, {5, 5, 5, 5}, 1e-12, "gamma=3 beta=5 mean");
  expect_near_all(after2.std, {2.999999852204228, 2.999999981395674, 2.9999999879511585, 2.9999990710270166}, 1e-11,
                  "gamma=3 beta=5 std");
  EXPECT_EQ(f1.cache.mean.shape(), (Shape{4}));
  EXPECT_EQ(f1.cache.inv_std.shape(), (Shape{4}));
}

// Cell of the layernorm gradient check: errors expected 1e-12 .. 1e-8.
TEST_F(SeedBatchnormNotebookLayernorm, BackwardNumericalGradient) {
  NumpyRandom rng(231);
  Tensor x = randn_affine(rng, {4, 5}, 5, 12);
  Tensor gamma = randn(rng, {5});
  Tensor beta = randn(rng, {5});
  const Tensor dout = randn(rng, {4, 5});
  const LayerNormParam p;
  auto fx = [&](const Tensor& v) { return layernorm_forward(v, gamma, beta, p).out; };
  auto fg = [&](const Tensor& v) { return layernorm_forward(x, v, beta, p).out; };
  auto fb = [&](const Tensor& v) { return layernorm_forward(x, gamma, v, p).out; };
  Tensor g2 = gamma.clone(), b2 = beta.clone();
  const Tensor dx_num = eval_numerical_gradient_array(fx, x, dout);
  const Tensor dg_num = eval_numerical_gradient_array(fg, g2, dout);
  const Tensor db_num = eval_numerical_gradient_array(fb, b2, dout);
  auto fwd = layernorm_forward(x, gamma, beta, p);
  const NormGrads g = layernorm_backward(dout, fwd.cache);
  EXPECT_LT(rel_error(dx_num, g.dx), 1e-8);
  EXPECT_LT(rel_error(dg_num, g.dgamma), 1e-8);
  EXPECT_LT(rel_error(db_num, g.dbeta), 1e-8);
}

// With gamma = 1, beta = 0, layernorm of x is batchnorm of x^T, transposed.
TEST_F(LayernormReference, MatchesBatchnormOfTranspose) {
  NumpyRandom rng(17);
  const Tensor x = randn_affine(rng, {6, 8}, 2, 3), dout = randn(rng, {6, 8});
  auto f = layernorm_forward(x, Tensor::full({8}, 1.0, DType::f64), Tensor::zeros({8}, DType::f64), {});
  BatchNormParam bp;
  auto fb = batchnorm_forward(transpose2d(x), Tensor::full({6}, 1.0, DType::f64), Tensor::zeros({6}, DType::f64), bp);
  EXPECT_LT(rel_error(f.out, transpose2d(fb.out)), 1e-12);
  EXPECT_LT(
      rel_error(layernorm_backward(dout, f.cache).dx, transpose2d(batchnorm_backward(transpose2d(dout), fb.cache).dx)),
      1e-9);
}

TEST_F(LayernormReference, SingleRowAndSingleFeature) {
  NumpyRandom rng(21);
  // N = 1: one row normalises over its own D features, gradients still check.
  Tensor x = randn(rng, {1, 7});
  Tensor gamma = randn(rng, {7});
  const Tensor beta = randn(rng, {7}), dout = randn(rng, {1, 7});
  const LayerNormParam p;
  auto fx = [&](const Tensor& v) { return layernorm_forward(v, gamma, beta, p).out; };
  const Tensor dx_num = eval_numerical_gradient_array(fx, x, dout);
  auto fwd = layernorm_forward(x, gamma, beta, p);
  EXPECT_LT(rel_error(dx_num, layernorm_backward(dout, fwd.cache).dx), 1e-7);
  const MeanStd s =
      stats_axis1(layernorm_forward(x, Tensor::full({7}, 1.0, DType::f64), Tensor::zeros({7}, DType::f64), p).out);
  EXPECT_NEAR(s.mean[0], 0.0, 1e-12);
  EXPECT_NEAR(s.std[0], 1.0, 1e-4);
  // D = 1: every row normalises to 0, so out = beta.
  auto f1 = layernorm_forward(Tensor::from_vector({4, -9}, {2, 1}), Tensor::from_vector({2}, {1}),
                              Tensor::from_vector({0.25}, {1}), p);
  EXPECT_DOUBLE_EQ(f1.out.item(0), 0.25);
  EXPECT_DOUBLE_EQ(f1.out.item(1), 0.25);
}

TEST_F(LayernormReference, Float32MatchesFloat64) {
  NumpyRandom rng(23);
  const Tensor x = randn_affine(rng, {5, 12}, 4, 1), gamma = randn(rng, {12}), beta = randn(rng, {12});
  const Tensor dout = randn(rng, {5, 12});
  auto f64 = layernorm_forward(x, gamma, beta, {});
  auto f32 = layernorm_forward(x.to(DType::f32), gamma.to(DType::f32), beta.to(DType::f32), {});
  EXPECT_EQ(f32.out.dtype(), DType::f32);
  EXPECT_LT(rel_error(f64.out, f32.out), 1e-4);
  const NormGrads g64 = layernorm_backward(dout, f64.cache), g32 = layernorm_backward(dout.to(DType::f32), f32.cache);
  EXPECT_LT(rel_error(g64.dx, g32.dx), 1e-3);
  EXPECT_LT(rel_error(g64.dgamma, g32.dgamma), 1e-4);
  EXPECT_LT(rel_error(g64.dbeta, g32.dbeta), 1e-5);
}

TEST_F(LayernormReference, BadArgumentsThrowClearErrors) {
  const Tensor x = Tensor::zeros({4, 3}, DType::f64), g = Tensor::zeros({3}, DType::f64);
  EXPECT_ERROR_CONTAINS(layernorm_forward(Tensor::zeros({4, 3, 1, 1}, DType::f64), g, g, {}), "(N, D)");
  EXPECT_ERROR_CONTAINS(layernorm_forward(x, Tensor::zeros({4}, DType::f64), g, {}), "gamma");
  LayerNormParam bad;
  bad.eps = -1;
  EXPECT_ERROR_CONTAINS(layernorm_forward(x, g, g, bad), "eps");
  auto fwd = layernorm_forward(x, g, g, {});
  EXPECT_ERROR_CONTAINS(layernorm_backward(Tensor::zeros({4, 4}, DType::f64), fwd.cache), "dout");
}

// --- The threaded CPU variant ------------------------------------------------

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

// --- The CUDA variants -------------------------------------------------------

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

TEST(GpuLayernorm, FastIsTheDefault) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  EXPECT_EQ(OpRegistry<LayerNormImpl>::default_variant(Device::cuda), "warp");
}

}  // namespace
}  // namespace convlab::test
