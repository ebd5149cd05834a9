// CPU reference of affine and relu: cs231n's affine forward check, numeric
// gradient checks, float32 vs float64 and shape errors.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/affine/affine.h"
#include "host/ops/relu/relu.h"
#include "use_reference_variants.h"

using namespace convlab;

namespace {
const char* kRef = "reference";
}

// cs231n's affine_forward check: linspace inputs, x (2, 4, 5, 6) flattened to 120 features.
TEST(AffineRef, ForwardMatchesCs231nCorrectOut) {
  Tensor x = linspace(-0.1, 0.5, {2, 4, 5, 6});
  Tensor w = linspace(-0.2, 0.3, {120, 3});
  Tensor b = linspace(-0.3, 0.1, {3});
  Tensor out = affine_forward(x, w, b, kRef).out;
  Tensor correct_out =
      Tensor::from_vector({1.49834967, 1.70660132, 1.91485297, 3.25553199, 3.5141327, 3.77273342}, {2, 3});
  ASSERT_EQ(out.shape(), correct_out.shape());
  EXPECT_LT(rel_error(out, correct_out), 1e-8);
}

// cs231n's affine_backward check: np.random.seed(231), x (10, 2, 3), w (6, 5), b (5,), dout (10, 5).
TEST(AffineRef, BackwardNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 2, 3}), w = randn(rng, {6, 5}), b = randn(rng, {5}), dout = randn(rng, {10, 5});
  auto f = [&](const Tensor& xx, const Tensor& ww, const Tensor& bb) { return affine_forward(xx, ww, bb, kRef).out; };
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(v, w, b); }, x, dout);
  Tensor dw_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, v, b); }, w, dout);
  Tensor db_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, w, v); }, b, dout);
  Grads g = affine_backward(dout, affine_forward(x, w, b, kRef).cache, kRef);
  EXPECT_EQ(g.dx.shape(), x.shape());
  EXPECT_LT(rel_error(g.dx, dx_num), 1e-8);  // cs231n: "errors should be around e-10 or less"
  EXPECT_LT(rel_error(g.dw, dw_num), 1e-8);
  EXPECT_LT(rel_error(g.db, db_num), 1e-8);
}

TEST(AffineRef, ParamsOnlyBackwardGivesTheSameDwDbAndNoDx) {
  NumpyRandom rng(7);
  Tensor x = randn(rng, {4, 3, 2}), w = randn(rng, {6, 5}), b = randn(rng, {5}), dout = randn(rng, {4, 5});
  auto cache = affine_forward(x, w, b, kRef).cache;
  Grads full = affine_backward(dout, cache, kRef), params = affine_backward_params(dout, cache, kRef);
  EXPECT_FALSE(params.dx.defined());
  EXPECT_EQ(params.dw.to_vector(), full.dw.to_vector());
  EXPECT_EQ(params.db.to_vector(), full.db.to_vector());
}

TEST(AffineRef, Float32AgreesWithFloat64AndN1) {
  NumpyRandom rng(3);
  Tensor x = randn(rng, {1, 3, 2, 2}), w = randn(rng, {12, 4}), b = randn(rng, {4});
  auto f64 = affine_forward(x, w, b, kRef);
  auto f32 = affine_forward(x.to(DType::f32), w.to(DType::f32), b.to(DType::f32), kRef);
  EXPECT_EQ(f32.out.dtype(), DType::f32);
  EXPECT_EQ(f32.out.shape(), (Shape{1, 4}));
  EXPECT_LT(rel_error(f32.out, f64.out), 1e-5);
  Tensor dout = randn(rng, {1, 4});
  Grads g64 = affine_backward(dout, f64.cache, kRef), g32 = affine_backward(dout.to(DType::f32), f32.cache, kRef);
  EXPECT_LT(rel_error(g32.dx, g64.dx), 1e-5);
  EXPECT_LT(rel_error(g32.dw, g64.dw), 1e-5);
  EXPECT_LT(rel_error(g32.db, g64.db), 1e-5);
}

TEST(AffineRef, BadShapesThrowClearErrors) {
  Tensor x({4, 2, 3}, DType::f64), w({6, 5}, DType::f64), b({5}, DType::f64);
  EXPECT_NO_THROW(affine_forward(x, w, b, kRef));
  EXPECT_ERROR_CONTAINS(affine_forward(x, Tensor({7, 5}, DType::f64), b, kRef), "w must have shape (D, M) with D = 6");
  EXPECT_ERROR_CONTAINS(affine_forward(x, w, Tensor({4}, DType::f64), kRef), "b must have shape (5,)");
  EXPECT_ERROR_CONTAINS(affine_forward(x, Tensor({6, 5, 1}, DType::f64), b, kRef), "affine: w");
  EXPECT_ERROR_CONTAINS(affine_forward(Tensor({6}, DType::f64), w, b, kRef), "at least 2 dimensions");
  EXPECT_ERROR_CONTAINS(affine_forward(x, w, b.to(DType::f32), kRef), "argument b is float32");
  auto fwd = affine_forward(x, w, b, kRef);
  EXPECT_ERROR_CONTAINS(affine_backward(Tensor({4, 6}, DType::f64), fwd.cache, kRef), "affine_backward: dout");
}

// cs231n's relu_forward check: x = linspace(-0.5, 0.5, 12).reshape(3, 4).
TEST(ReluRef, ForwardZeroesNegatives) {
  Tensor x = linspace(-0.5, 0.5, {3, 4});
  Tensor out = relu_forward(x, kRef).out;
  Tensor correct_out = Tensor::from_vector(
      {0., 0., 0., 0., 0., 0., 0.04545455, 0.13636364, 0.22727273, 0.31818182, 0.40909091, 0.5}, {3, 4});
  EXPECT_LT(rel_error(out, correct_out), 5e-8);
}

// cs231n's relu_backward check: np.random.seed(231), x (10, 10).
TEST(ReluRef, BackwardNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10}), dout = randn(rng, {10, 10});
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return relu_forward(v, kRef).out; }, x, dout);
  Tensor dx = relu_backward(dout, relu_forward(x, kRef).cache, kRef);
  EXPECT_LT(rel_error(dx, dx_num), 1e-10);  // cs231n: "error should be on the order of e-12"
}
