// The sandwich layers (host/ops/sandwich): on the CPU reference, the conv
// notebook's conv_relu check, cs231n's affine_relu check, affine - norm -
// relu and normalization parsing; on the GPU, where they dispatch to each
// op's default CUDA variant, against the same layers on the CPU: the path
// training takes on a GPU. conv_relu_pool is an op of its own:
// tests/test_conv_relu_pool.cpp.
#include <gtest/gtest.h>

#include <cstdio>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/sandwich/sandwich.h"
#include "sandwich_test_util.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

class SeedConvNotebook : public ReferenceVariants {};
class SandwichRef : public ReferenceVariants {};

// Cell "Convolutional sandwich layers": conv_relu.
TEST_F(SeedConvNotebook, ConvReluNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {2, 3, 8, 8});
  Tensor w = randn(rng, {3, 3, 3, 3});
  Tensor b = randn(rng, {3});
  Tensor dout = randn(rng, {2, 3, 8, 8});
  const ConvParam conv_param{1, 1};
  auto fwd = [&](const Tensor& xx, const Tensor& ww, const Tensor& bb) {
    return conv_relu_forward(xx, ww, bb, conv_param);
  };
  Errors3 e = sandwich_errors(x, w, b, dout, fwd, conv_relu_backward);
  std::printf("Testing conv_relu:\ndx error:  %g\ndw error:  %g\ndb error:  %g\n", e.dx, e.dw, e.db);
  // The notebook: "Relative errors should be around e-8 or less" (it printed 3.6e-9, 2.2e-10, 1.3e-10).
  EXPECT_LT(e.dx, 1e-7);
  EXPECT_LT(e.dw, 1e-7);
  EXPECT_LT(e.db, 1e-7);
}

// cs231n's affine_relu check: np.random.seed(231), x (2, 3, 4), w (12, 10), b (10,), dout (2, 10).
TEST_F(SandwichRef, AffineReluNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {2, 3, 4}), w = randn(rng, {12, 10}), b = randn(rng, {10}), dout = randn(rng, {2, 10});
  auto fwd = [](const Tensor& xx, const Tensor& ww, const Tensor& bb) { return affine_relu_forward(xx, ww, bb); };
  Errors3 e = sandwich_errors(x, w, b, dout, fwd, affine_relu_backward);
  EXPECT_LT(e.dx, 1e-8);  // cs231n: "errors should be around e-10 or less"
  EXPECT_LT(e.dw, 1e-8);
  EXPECT_LT(e.db, 1e-8);
}

TEST_F(SandwichRef, ParseNormalization) {
  EXPECT_EQ(parse_normalization("none"), Normalization::none);
  EXPECT_EQ(parse_normalization("batchnorm"), Normalization::batchnorm);
  EXPECT_EQ(parse_normalization("layernorm"), Normalization::layernorm);
  EXPECT_ERROR_CONTAINS(parse_normalization("groupnorm"), "unknown kind 'groupnorm'");
  EXPECT_ERROR_CONTAINS(parse_normalization(""), "expected none, batchnorm or layernorm");
}

TEST_F(SandwichRef, AffineNormReluWithoutNormIsAffineRelu) {
  NumpyRandom rng(8);
  Tensor x = randn(rng, {4, 6}), w = randn(rng, {6, 5}), b = randn(rng, {5}), dout = randn(rng, {4, 5});
  BatchNormParam bn;
  auto a = affine_norm_relu_forward(x, w, b, Tensor(), Tensor(), Normalization::none, bn);
  auto r = affine_relu_forward(x, w, b);
  EXPECT_EQ(a.out.to_vector(), r.out.to_vector());
  AffineNormReluGrads ga = affine_norm_relu_backward(dout, a.cache);
  Grads gr = affine_relu_backward(dout, r.cache);
  EXPECT_EQ(ga.dx.to_vector(), gr.dx.to_vector());
  EXPECT_EQ(ga.dw.to_vector(), gr.dw.to_vector());
  EXPECT_EQ(ga.db.to_vector(), gr.db.to_vector());
  EXPECT_FALSE(ga.dgamma.defined());
  EXPECT_FALSE(ga.dbeta.defined());
}

TEST_F(SandwichRef, ErrorsOfTheInnerOpsComeThrough) {
  Tensor x({2, 3, 8, 8}, DType::f64), w({4, 3, 3, 3}, DType::f64), b({4}, DType::f64);
  EXPECT_ERROR_CONTAINS(conv_relu_pool_forward(x, w, b, {1, 1}, {2, 2, 0}), "max_pool: stride must be positive");
  EXPECT_ERROR_CONTAINS(conv_relu_forward(x, w, Tensor({3}, DType::f64), {1, 1}), "conv: b must have shape (4,)");
  EXPECT_ERROR_CONTAINS(affine_relu_forward(x, Tensor({10, 4}, DType::f64), b), "affine: w must have shape (D, M)");
}

// affine - batchnorm/layernorm - relu: numeric gradients of all five inputs.
class AffineNormReluRef : public ReferenceVariants, public ::testing::WithParamInterface<Normalization> {};

TEST_P(AffineNormReluRef, NumericGradient) {
  const Normalization kind = GetParam();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {4, 3, 2}), w = randn(rng, {6, 5}), b = randn(rng, {5});
  Tensor gamma = randn(rng, {5}), beta = randn(rng, {5}), dout = randn(rng, {4, 5});
  BatchNormParam bn;  // train mode: the output depends on the batch statistics only
  auto f = [&](const Tensor& xx, const Tensor& ww, const Tensor& bb, const Tensor& gg, const Tensor& be) {
    return affine_norm_relu_forward(xx, ww, bb, gg, be, kind, bn).out;
  };
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(v, w, b, gamma, beta); }, x, dout);
  Tensor dw_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, v, b, gamma, beta); }, w, dout);
  Tensor db_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, w, v, gamma, beta); }, b, dout);
  Tensor dg_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, w, b, v, beta); }, gamma, dout);
  Tensor dbe_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, w, b, gamma, v); }, beta, dout);
  auto fwd = affine_norm_relu_forward(x, w, b, gamma, beta, kind, bn);
  AffineNormReluGrads g = affine_norm_relu_backward(dout, fwd.cache);
  if (kind == Normalization::batchnorm) {
    // bn_param is shared with the caller: the running statistics were created and updated.
    EXPECT_EQ(bn.running_mean.shape(), (Shape{5}));
    EXPECT_EQ(bn.running_var.shape(), (Shape{5}));
  }
  EXPECT_LT(rel_error(dx_num, g.dx), 1e-6);
  EXPECT_LT(rel_error(dw_num, g.dw), 1e-6);
  // With batchnorm the affine bias cancels in the mean subtraction: db is ~0 both ways.
  if (kind == Normalization::batchnorm) {
    for (double v : g.db.to_vector()) EXPECT_NEAR(v, 0.0, 1e-10);
    for (double v : db_num.to_vector()) EXPECT_NEAR(v, 0.0, 1e-8);
  } else {
    EXPECT_LT(rel_error(db_num, g.db), 1e-6);
  }
  EXPECT_LT(rel_error(dg_num, g.dgamma), 1e-6);
  EXPECT_LT(rel_error(dbe_num, g.dbeta), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Norms, AffineNormReluRef,
                         ::testing::Values(Normalization::batchnorm, Normalization::layernorm),
                         [](const ::testing::TestParamInfo<Normalization>& i) {
                           return std::string(i.param == Normalization::batchnorm ? "batchnorm" : "layernorm");
                         });

// --- On the GPU --------------------------------------------------------------

TEST(SandwichGpu, ConvReluMatchesCpu) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(67);
  for (DType dt : kBothDtypes) {
    Tensor x = randn(rng, {2, 3, 8, 8}, dt), w = randn(rng, {3, 3, 3, 3}, dt), b = randn(rng, {3}, dt);
    const ConvParam cp{1, 1};
    auto cpu = conv_relu_forward(x, w, b, cp);
    Tensor dout = randn(rng, cpu.out.shape(), dt);
    Grads cg = conv_relu_backward(dout, cpu.cache);
    PoisonScope poison;
    auto dev = conv_relu_forward(gpu(x), gpu(w), gpu(b), cp);
    EXPECT_GPU_MATCHES(dev.out, cpu.out, dt, std::string("out ") + dtype_label(dt));
    Grads g = conv_relu_backward(gpu(dout), dev.cache);
    EXPECT_GPU_MATCHES(g.dx, cg.dx, dt, std::string("dx ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.dw, cg.dw, dt, std::string("dw ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.db, cg.db, dt, std::string("db ") + dtype_label(dt));
  }
}

TEST(SandwichGpu, AffineReluMatchesCpu) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(71);
  for (DType dt : kBothDtypes) {
    Tensor x = randn(rng, {2, 3, 4}, dt), w = randn(rng, {12, 10}, dt), b = randn(rng, {10}, dt);
    auto cpu = affine_relu_forward(x, w, b);
    Tensor dout = randn(rng, cpu.out.shape(), dt);
    Grads cg = affine_relu_backward(dout, cpu.cache);
    PoisonScope poison;
    auto dev = affine_relu_forward(gpu(x), gpu(w), gpu(b));
    EXPECT_GPU_MATCHES(dev.out, cpu.out, dt, std::string("out ") + dtype_label(dt));
    Grads g = affine_relu_backward(gpu(dout), dev.cache);
    EXPECT_GPU_MATCHES(g.dx, cg.dx, dt, std::string("dx ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.dw, cg.dw, dt, std::string("dw ") + dtype_label(dt));
    EXPECT_GPU_MATCHES(g.db, cg.db, dt, std::string("db ") + dtype_label(dt));
  }
}
