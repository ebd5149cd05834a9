// CPU reference of batchnorm against the batch normalization notebook's
// cells (np.random.seed(231) inputs; expected statistics computed with numpy
// from the same inputs) and against its own edge cases.
#include <algorithm>

#include "use_reference_variants.h"
#include "expect_error.h"
#include "host/gradcheck.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "norm_test_util.h"
#include "test_util.h"

using namespace convlab;
using namespace convlab::test;

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
TEST(SeedBatchnormNotebook, TrainForwardInputStatistics) {
  const MeanStd s = stats_axis0(notebook_activations());
  expect_near_all(s.mean, {-2.3814598006044174, -13.180382463991416, 1.9178046225495151}, 1e-9, "mean");
  expect_near_all(s.std, {27.185021859009453, 34.21455510894339, 37.68611761516215}, 1e-9, "std");
}

// Same cell, gamma = 1, beta = 0: means ~ 0, stds ~ 1 (just under, by eps).
TEST(SeedBatchnormNotebook, TrainForwardMeansAndStds) {
  const Tensor a = notebook_activations();
  BatchNormParam p;
  auto fwd = batchnorm_forward(a, Tensor::full({3}, 1.0, DType::f64), Tensor::zeros({3}, DType::f64), p);
  const MeanStd s = stats_axis0(fwd.out);
  expect_near_all(s.mean, {0, 0, 0}, 1e-12, "mean");
  expect_near_all(s.std, {0.9999999932343329, 0.999999995728817, 0.9999999964794767}, 1e-12, "std");
}

// Same cell, gamma = (1, 2, 3), beta = (11, 12, 13): means ~ beta, stds ~ gamma.
TEST(SeedBatchnormNotebook, TrainForwardNontrivialGammaBeta) {
  const Tensor a = notebook_activations();
  BatchNormParam p;
  auto fwd = batchnorm_forward(a, Tensor::from_vector({1, 2, 3}, {3}), Tensor::from_vector({11, 12, 13}, {3}), p);
  const MeanStd s = stats_axis0(fwd.out);
  expect_near_all(s.mean, {11, 12, 13}, 1e-12, "mean");
  expect_near_all(s.std, {0.9999999932343329, 1.9999999914576343, 2.99999998943843}, 1e-12, "std");
}

// Cell with 50 train-mode passes then one test-mode pass.
TEST(SeedBatchnormNotebook, TestTimeForwardUsesRunningAverages) {
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
TEST(SeedBatchnormNotebook, BackwardNumericalGradient) {
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
TEST(SeedBatchnormNotebook, BackwardAltMatchesBackward) {
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

TEST(BatchnormReference, RegisteredAsCpuReference) {
  // Registered under "reference" (the CPU default is the fast variant).
  const auto v = OpRegistry<BatchNormImpl>::variants(Device::cpu);
  EXPECT_NE(std::find(v.begin(), v.end(), "reference"), v.end());
}

TEST(BatchnormReference, RunningStatsCreatedAndUpdatedWithMomentum) {
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

TEST(BatchnormReference, TestModeBackwardNumericalGradient) {
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

TEST(BatchnormReference, SingleRowGivesBetaAndSingleFeatureWorks) {
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

TEST(BatchnormReference, Float32MatchesFloat64) {
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

TEST(BatchnormReference, BadArgumentsThrowClearErrors) {
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
