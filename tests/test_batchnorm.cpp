// batchnorm: the CPU reference against the batch normalization notebook's
// cells (np.random.seed(231) inputs; expected statistics computed with numpy
// from the same inputs) and its own edge cases; the threaded CPU variant
// against the reference (train and test mode, running statistics, both
// backward passes) and numerical gradients; the CUDA variants against the CPU
// reference (forward in train and test mode, running statistics, cache,
// backward and backward_alt, float32 and float64) and the notebook's numerical
// gradient check in float64.
#include <gtest/gtest.h>

#include <algorithm>

#include "expect_error.h"
#include "host/gradcheck.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "norm_gpu_test_util.h"
#include "norm_sync_test_util.h"
#include "norm_test_util.h"
#include "test_util.h"
#include "threaded_norm_check.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

class SeedBatchnormNotebook : public ReferenceVariants {};
class BatchnormReference : public ReferenceVariants {};

namespace {

// The notebook's "two-layer network" activations a (N=200, D3=3).
Tensor notebook_activations() {
  NumpyRandom rng(231);
  Tensor X = randn(rng, {200, 50});
  Tensor W1 = randn(rng, {50, 60});
  Tensor W2 = randn(rng, {60, 3});
  return relu_matmul_matmul(X, W1, W2);
}

}  // namespace

// Cell "Simulacija prolaza unaprijed": statistics before batchnorm.
TEST_F(SeedBatchnormNotebook, TrainForwardInputStatistics) {
  const MeanStd s = stats_axis0(notebook_activations());
  expect_near_all(s.mean, {-2.3814598006044174, -13.180382463991416, 1.9178046225495151}, 1e-9, "mean");
  expect_near_all(s.std, {27.185021859009453, 34.21455510894339, 37.68611761516215}, 1e-9, "std");
}

// Same cell, gamma = 1, beta = 0: means ~ 0, stds ~ 1 (just under, by eps).
TEST_F(SeedBatchnormNotebook, TrainForwardMeansAndStds) {
  const Tensor a = notebook_activations();
  BatchNormParam p;
  auto fwd = batchnorm_forward(a, Tensor::full({3}, 1.0, DType::f64), Tensor::zeros({3}, DType::f64), p);
  const MeanStd s = stats_axis0(fwd.out);
  expect_near_all(s.mean, {0, 0, 0}, 1e-12, "mean");
  expect_near_all(s.std, {0.9999999932343329, 0.999999995728817, 0.9999999964794767}, 1e-12, "std");
}

// Same cell, gamma = (1, 2, 3), beta = (11, 12, 13): means ~ beta, stds ~ gamma.
TEST_F(SeedBatchnormNotebook, TrainForwardNontrivialGammaBeta) {
  const Tensor a = notebook_activations();
  BatchNormParam p;
  auto fwd = batchnorm_forward(a, Tensor::from_vector({1, 2, 3}, {3}), Tensor::from_vector({11, 12, 13}, {3}), p);
  const MeanStd s = stats_axis0(fwd.out);
  expect_near_all(s.mean, {11, 12, 13}, 1e-12, "mean");
  expect_near_all(s.std, {0.9999999932343329, 1.9999999914576343, 2.99999998943843}, 1e-12, "std");
}

// Cell with 50 train-mode passes then one test-mode pass.
TEST_F(SeedBatchnormNotebook, TestTimeForwardUsesRunningAverages) {
  NumpyRandom rng(231);
  Tensor W1 = randn(rng, {50, 60});
  Tensor W2 = randn(rng, {60, 3});
  const Tensor gamma = Tensor::full({3}, 1.0, DType::f64), beta = Tensor::zeros({3}, DType::f64);
  BatchNormParam p;
  for (int t = 0; t < 50; ++t) batchnorm_forward(relu_matmul_matmul(randn(rng, {200, 50}), W1, W2), gamma, beta, p);
  p.mode = Mode::test;
  auto fwd = batchnorm_forward(relu_matmul_matmul(randn(rng, {200, 50}), W1, W2), gamma, beta, p);
  const MeanStd s = stats_axis0(fwd.out);
  // The notebook's expectation: noisier than training, but means ~ 0 and stds ~ 1.
  for (int d = 0; d < 3; ++d) {
    EXPECT_LT(std::abs(s.mean[d]), 0.2);
    EXPECT_LT(std::abs(s.std[d] - 1.0), 0.1);
  }
  // And the exact values numpy gives for these inputs.
  expect_near_all(s.mean, {-0.03927354072696226, -0.04349152288885165, -0.10452688358425309}, 1e-9, "mean");
  expect_near_all(s.std, {1.015314275274691, 1.0123837298609655, 0.9781998761575494}, 1e-9, "std");
  EXPECT_EQ(fwd.cache.mode, Mode::test);
}

// Cell "Batch normalizacija: prolaz unazad": numerical gradients, expected rel errors 1e-13 .. 1e-8.
TEST_F(SeedBatchnormNotebook, BackwardNumericalGradient) {
  NumpyRandom rng(231);
  Tensor x = randn_affine(rng, {4, 5}, 5, 12);
  Tensor gamma = randn(rng, {5});
  Tensor beta = randn(rng, {5});
  const Tensor dout = randn(rng, {4, 5});
  BatchNormParam p;
  auto fx = [&](const Tensor& v) { return batchnorm_forward(v, gamma, beta, p).out; };
  auto fg = [&](const Tensor& v) { return batchnorm_forward(x, v, beta, p).out; };
  auto fb = [&](const Tensor& v) { return batchnorm_forward(x, gamma, v, p).out; };
  Tensor g2 = gamma.clone(), b2 = beta.clone();
  const Tensor dx_num = eval_numerical_gradient_array(fx, x, dout);
  const Tensor dg_num = eval_numerical_gradient_array(fg, g2, dout);
  const Tensor db_num = eval_numerical_gradient_array(fb, b2, dout);
  auto fwd = batchnorm_forward(x, gamma, beta, p);
  const NormGrads g = batchnorm_backward(dout, fwd.cache);
  EXPECT_LT(rel_error(dx_num, g.dx), 1e-8);
  EXPECT_LT(rel_error(dg_num, g.dgamma), 1e-8);
  EXPECT_LT(rel_error(db_num, g.dbeta), 1e-8);
}

// Cell "alternativni prolaz unazad": both backward forms agree (N, D = 100, 500).
TEST_F(SeedBatchnormNotebook, BackwardAltMatchesBackward) {
  NumpyRandom rng(231);
  Tensor x = randn_affine(rng, {100, 500}, 5, 12);
  Tensor gamma = randn(rng, {500});
  Tensor beta = randn(rng, {500});
  const Tensor dout = randn(rng, {100, 500});
  BatchNormParam p;
  auto fwd = batchnorm_forward(x, gamma, beta, p);
  const NormGrads g1 = batchnorm_backward(dout, fwd.cache);
  const NormGrads g2 = batchnorm_backward_alt(dout, fwd.cache);
  EXPECT_LT(rel_error(g1.dx, g2.dx), 1e-9);
  EXPECT_LT(rel_error(g1.dgamma, g2.dgamma), 1e-12);
  EXPECT_LT(rel_error(g1.dbeta, g2.dbeta), 1e-12);
}

TEST_F(BatchnormReference, RegisteredAsCpuReference) {
  // Registered under "reference" (the CPU default is the fast variant).
  const auto v = OpRegistry<BatchNormImpl>::variants(Device::cpu);
  EXPECT_NE(std::find(v.begin(), v.end(), "reference"), v.end());
}

TEST_F(BatchnormReference, RunningStatsCreatedAndUpdatedWithMomentum) {
  const Tensor x = Tensor::from_vector({1, 10, 3, 20, 8, 60}, {3, 2});  // column means 4, 30; biased vars 26/3, 1400/3
  const Tensor gamma = Tensor::full({2}, 1.0, DType::f64), beta = Tensor::zeros({2}, DType::f64);
  BatchNormParam p;
  batchnorm_forward(x, gamma, beta, p);
  ASSERT_EQ(p.running_mean.shape(), (Shape{2}));
  EXPECT_EQ(p.running_mean.dtype(), DType::f64);
  EXPECT_NEAR(p.running_mean.item(0), 0.1 * 4, 1e-12);
  EXPECT_NEAR(p.running_mean.item(1), 0.1 * 30, 1e-12);
  EXPECT_NEAR(p.running_var.item(0), 0.1 * 26.0 / 3, 1e-12);
  EXPECT_NEAR(p.running_var.item(1), 0.1 * 1400.0 / 3, 1e-12);
  p.momentum = 0.5;
  batchnorm_forward(x, gamma, beta, p);
  EXPECT_NEAR(p.running_mean.item(0), 0.5 * 0.4 + 0.5 * 4, 1e-12);
  EXPECT_NEAR(p.running_var.item(1), 0.5 * 140.0 / 3 + 0.5 * 1400.0 / 3, 1e-9);
  // Test mode uses the running statistics and leaves them alone.
  p.mode = Mode::test;
  auto fwd = batchnorm_forward(x, gamma, beta, p);
  EXPECT_NEAR(p.running_mean.item(0), 2.2, 1e-12);
  EXPECT_NEAR(fwd.out.item(0), (1 - 2.2) / std::sqrt(p.running_var.item(0) + 1e-5), 1e-12);
}

TEST_F(BatchnormReference, TestModeBackwardNumericalGradient) {
  NumpyRandom rng(7);
  Tensor x = randn(rng, {6, 4});
  Tensor gamma = randn(rng, {4});
  const Tensor beta = randn(rng, {4});
  const Tensor dout = randn(rng, {6, 4});
  BatchNormParam p;
  p.running_mean = randn(rng, {4});
  p.running_var = uniform(rng, {4}, 0.5, 2.0);
  p.mode = Mode::test;
  auto fx = [&](const Tensor& v) { return batchnorm_forward(v, gamma, beta, p).out; };
  const Tensor dx_num = eval_numerical_gradient_array(fx, x, dout);
  auto fwd = batchnorm_forward(x, gamma, beta, p);
  EXPECT_LT(rel_error(dx_num, batchnorm_backward(dout, fwd.cache).dx), 1e-8);
  EXPECT_LT(rel_error(dx_num, batchnorm_backward_alt(dout, fwd.cache).dx), 1e-8);
}

TEST_F(BatchnormReference, SingleRowGivesBetaAndSingleFeatureWorks) {
  BatchNormParam p;
  auto fwd = batchnorm_forward(Tensor::from_vector({3, -2}, {1, 2}), Tensor::from_vector({2, 5}, {2}),
                               Tensor::from_vector({0.5, -1}, {2}), p);
  EXPECT_DOUBLE_EQ(fwd.out.item(0), 0.5);
  EXPECT_DOUBLE_EQ(fwd.out.item(1), -1.0);
  // D = 1 (one feature), numerical gradient.
  NumpyRandom rng(3);
  Tensor x = randn(rng, {7, 1});
  const Tensor gamma = randn(rng, {1}), beta = randn(rng, {1}), dout = randn(rng, {7, 1});
  BatchNormParam q;
  auto fx = [&](const Tensor& v) { return batchnorm_forward(v, gamma, beta, q).out; };
  const Tensor dx_num = eval_numerical_gradient_array(fx, x, dout);
  auto f1 = batchnorm_forward(x, gamma, beta, q);
  EXPECT_LT(rel_error(dx_num, batchnorm_backward(dout, f1.cache).dx), 1e-7);
}

TEST_F(BatchnormReference, Float32MatchesFloat64) {
  NumpyRandom rng(11);
  const Tensor x = randn_affine(rng, {16, 9}, 3, 2), gamma = randn(rng, {9}), beta = randn(rng, {9});
  const Tensor dout = randn(rng, {16, 9});
  BatchNormParam p64, p32;
  auto f64 = batchnorm_forward(x, gamma, beta, p64);
  auto f32 = batchnorm_forward(x.to(DType::f32), gamma.to(DType::f32), beta.to(DType::f32), p32);
  EXPECT_EQ(f32.out.dtype(), DType::f32);
  EXPECT_EQ(p32.running_var.dtype(), DType::f32);
  EXPECT_LT(rel_error(f64.out, f32.out), 1e-4);
  EXPECT_LT(rel_error(p64.running_var, p32.running_var), 1e-5);
  for (auto bw : {batchnorm_backward, batchnorm_backward_alt}) {
    const NormGrads g64 = bw(dout, f64.cache, ""), g32 = bw(dout.to(DType::f32), f32.cache, "");
    EXPECT_EQ(g32.dx.dtype(), DType::f32);
    EXPECT_LT(rel_error(g64.dx, g32.dx), 1e-3);
    EXPECT_LT(rel_error(g64.dgamma, g32.dgamma), 1e-4);
    EXPECT_LT(rel_error(g64.dbeta, g32.dbeta), 1e-5);
  }
}

TEST_F(BatchnormReference, BadArgumentsThrowClearErrors) {
  const Tensor x = Tensor::zeros({4, 3}, DType::f64), g = Tensor::zeros({3}, DType::f64);
  BatchNormParam p;
  EXPECT_ERROR_CONTAINS(batchnorm_forward(Tensor::zeros({4}, DType::f64), g, g, p), "(N, D)");
  EXPECT_ERROR_CONTAINS(batchnorm_forward(x, Tensor::zeros({4}, DType::f64), g, p), "gamma");
  EXPECT_ERROR_CONTAINS(batchnorm_forward(x, g, Tensor::zeros({3}, DType::f32), p), "beta");
  EXPECT_ERROR_CONTAINS(batchnorm_forward(Tensor::zeros({4, 3}, DType::i32), g, g, p), "float32 or float64");
  EXPECT_ERROR_CONTAINS(batchnorm_forward(Tensor::zeros({0, 3}, DType::f64), g, g, p), "zero-sized");
  BatchNormParam bad_eps;
  bad_eps.eps = 0;
  EXPECT_ERROR_CONTAINS(batchnorm_forward(x, g, g, bad_eps), "eps");
  BatchNormParam bad_mom;
  bad_mom.momentum = 1.5;
  EXPECT_ERROR_CONTAINS(batchnorm_forward(x, g, g, bad_mom), "momentum");
  BatchNormParam bad_rm;
  bad_rm.running_mean = Tensor::zeros({4}, DType::f64);
  EXPECT_ERROR_CONTAINS(batchnorm_forward(x, g, g, bad_rm), "running_mean");
  auto fwd = batchnorm_forward(x, g, g, p);
  EXPECT_ERROR_CONTAINS(batchnorm_backward(Tensor::zeros({3, 4}, DType::f64), fwd.cache), "dout");
  EXPECT_ERROR_CONTAINS(batchnorm_backward_alt(Tensor::zeros({4, 3}, DType::f32), fwd.cache), "dout");
  EXPECT_ERROR_CONTAINS(batchnorm_forward(x, g, g, p, "nope"), "unknown variant");
}

// --- The threaded CPU variant ------------------------------------------------

namespace {

NormForwardFn train_forward() {
  return [](const Tensor& x, const Tensor& g, const Tensor& b, const std::string& v) {
    BatchNormParam p;
    return batchnorm_forward(x, g, b, p, v);
  };
}

}  // namespace

TEST(CpuFastBatchnorm, MatchesReferenceInTrainMode) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 20;
    for (const Shape& s : {Shape{4, 5}, Shape{1, 3}, Shape{200, 3}, Shape{50, 100}, Shape{7, 300}}) {
      expect_norm_matches(
          train_forward(),
          [](const Tensor& d, const NormCache& c, const std::string& v) { return batchnorm_backward(d, c, v); }, s,
          s[1], dt, seed);
      expect_norm_matches(
          train_forward(),
          [](const Tensor& d, const NormCache& c, const std::string& v) { return batchnorm_backward_alt(d, c, v); }, s,
          s[1], dt, seed++);
    }
  });
}

TEST(CpuFastBatchnorm, RunningStatisticsAndTestModeMatchReference) {
  for_each_dtype_and_threads([](DType dt) {
    NumpyRandom rng(21);
    const int64_t D = 70;
    Tensor gamma = randn_as(rng, {D}, dt), beta = randn_as(rng, {D}, dt);
    BatchNormParam pr, pf;
    pr.momentum = pf.momentum = 0.8;
    for (int step = 0; step < 5; ++step) {
      Tensor x = randn_as(rng, {30, D}, dt, 2.0);
      batchnorm_forward(x, gamma, beta, pr, "reference");
      batchnorm_forward(x, gamma, beta, pf, "threaded");
    }
    EXPECT_FAST_MATCHES(pf.running_mean, pr.running_mean, dt, "running_mean");
    EXPECT_FAST_MATCHES(pf.running_var, pr.running_var, dt, "running_var");
    pr.mode = pf.mode = Mode::test;
    Tensor x = randn_as(rng, {30, D}, dt, 2.0);
    auto ref = batchnorm_forward(x, gamma, beta, pr, "reference");
    auto fast = batchnorm_forward(x, gamma, beta, pf, "threaded");
    EXPECT_FAST_MATCHES(fast.out, ref.out, dt, "test-mode out");
    Tensor dout = randn_as(rng, {30, D}, dt);
    NormGrads gr = batchnorm_backward(dout, ref.cache, "reference");
    NormGrads gf = batchnorm_backward(dout, fast.cache, "threaded");
    EXPECT_FAST_MATCHES(gf.dx, gr.dx, dt, "test-mode dx");
    EXPECT_FAST_MATCHES(gf.dgamma, gr.dgamma, dt, "test-mode dgamma");
    EXPECT_FAST_MATCHES(gf.dbeta, gr.dbeta, dt, "test-mode dbeta");
  });
}

TEST(CpuFastBatchnorm, GradientsMatchNumericalGradients) {
  expect_norm_gradients(
      train_forward(),
      [](const Tensor& d, const NormCache& c, const std::string& v) { return batchnorm_backward(d, c, v); }, {4, 5}, 5);
  expect_norm_gradients(
      train_forward(),
      [](const Tensor& d, const NormCache& c, const std::string& v) { return batchnorm_backward_alt(d, c, v); }, {6, 3},
      3);
}

TEST(CpuFastBatchnorm, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<BatchNormImpl>::default_variant(Device::cpu), "threaded");
  BatchNormParam p;
  EXPECT_THROW(batchnorm_forward(Tensor({4, 5}), Tensor({4}), Tensor({5}), p, "threaded"), Error);
  p.eps = 0;
  EXPECT_THROW(batchnorm_forward(Tensor({4, 5}), Tensor({5}), Tensor({5}), p, "threaded"), Error);
  BatchNormParam q;
  q.running_mean = Tensor({4});
  EXPECT_THROW(batchnorm_forward(Tensor({4, 5}), Tensor({5}), Tensor({5}), q, "threaded"), Error);
}

// --- The CUDA variants -------------------------------------------------------

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

TEST(GpuBatchnorm, FastIsTheDefault) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  EXPECT_EQ(OpRegistry<BatchNormImpl>::default_variant(Device::cuda), "warp");
}

}  // namespace
}  // namespace convlab::test

// --- Synchronized batchnorm (host/ops/norm/norm_sync.h) ----------------------
// Every variant, run as 1, 2 and 3 shards of the batch, gives plain batchnorm
// over the whole batch (the CPU reference): out, dx, dgamma, dbeta, running stats.

namespace convlab::test {
namespace {

TEST(SyncBatchnorm, EveryCpuVariantOnShardsMatchesTheWholeBatch) {
  expect_sync_variants_match<BatchNormImpl>(Device::cpu, {12, 7});
}

TEST(SyncBatchnorm, EveryGpuVariantOnShardsMatchesTheWholeBatch) {
  CONVLAB_REQUIRE_GPU();
  expect_sync_variants_match<BatchNormImpl>(Device::cuda, {12, 7});
}

TEST(SyncBatchnorm, RefusesTestModeAndAPlainCache) { expect_sync_refuses_bad_use<BatchNormImpl>({12, 7}); }

}  // namespace
}  // namespace convlab::test
