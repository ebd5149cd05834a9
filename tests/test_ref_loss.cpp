// CPU reference of softmax_loss and svm_loss: cs231n's loss checks, numeric
// gradients, numerical stability, float32 and label/shape errors.
#include <gtest/gtest.h>

#include <cmath>

#include "expect_error.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/loss/loss.h"
#include "use_reference_variants.h"

using namespace convlab;

namespace {

const char* kRef = "reference";

using LossFn = LossOut (*)(const Tensor&, const Tensor&, const std::string&);

// cs231n's loss check inputs: np.random.seed(231); x = 0.001 * randn(50, 10); y = randint(10, size=50).
struct SmallScores {
  Tensor x, y;
  SmallScores() {
    NumpyRandom rng(231);
    x = randn(rng, {50, 10}, DType::f64, 0.001);
    y = randint(rng, 0, 10, 50);
  }
};

double grad_error(LossFn fn, Tensor x, const Tensor& y) {
  Tensor dx_num = eval_numerical_gradient([&](const Tensor& v) { return fn(v, y, kRef).value(); }, x, 1e-5);
  return rel_error(fn(x, y, kRef).dx, dx_num);
}

}  // namespace

TEST(SoftmaxLossRef, SmallRandomScoresGiveLogC) {
  SmallScores s;
  LossOut r = softmax_loss(s.x, s.y, kRef);
  EXPECT_EQ(r.loss.shape(), Shape{});
  EXPECT_EQ(r.loss.dtype(), DType::f64);
  EXPECT_EQ(r.dx.shape(), s.x.shape());
  EXPECT_NEAR(r.value(), std::log(10.0), 1e-3);  // cs231n: "loss should be close to 2.3"
  // cs231n prints 2.302545844500738 for these inputs.
  EXPECT_NEAR(r.value(), 2.302545844500738, 1e-12);
}

TEST(SoftmaxLossRef, NumericGradient) {
  SmallScores s;
  EXPECT_LT(grad_error(softmax_loss, s.x, s.y), 1e-7);  // cs231n: "dx error should be around e-8"
  NumpyRandom rng(9);
  Tensor x = randn(rng, {3, 7});  // larger scores, C = 7
  EXPECT_LT(grad_error(softmax_loss, x, randint(rng, 0, 7, 3)), 1e-7);
}

TEST(SoftmaxLossRef, StableForHugeScores) {
  // Naive exp would overflow; the shifted form gives the exact answer.
  Tensor x = Tensor::from_vector({1000, 0, -1000, 2000, 2000, 0}, {2, 3});
  Tensor y = Tensor::from_vector({0, 2}, {2}, DType::i32);
  for (DType dt : {DType::f64, DType::f32}) {
    LossOut r = softmax_loss(x.to(dt), y, kRef);
    EXPECT_EQ(r.loss.dtype(), dt);
    // Row 0: correct class dominates, loss ~ 0. Row 1: loss = 2000 + log(2).
    EXPECT_NEAR(r.value(), (0.0 + 2000.0 + std::log(2.0)) / 2.0, 1e-3);
    for (double v : r.dx.to_vector()) EXPECT_TRUE(std::isfinite(v));
    EXPECT_NEAR(r.dx.item(3), 0.5 / 2.0, 1e-6);
    EXPECT_NEAR(r.dx.item(5), -1.0 / 2.0, 1e-6);
  }
}

TEST(SvmLossRef, SmallRandomScoresGiveCMinusOne) {
  SmallScores s;
  LossOut r = svm_loss(s.x, s.y, kRef);
  EXPECT_EQ(r.loss.shape(), Shape{});
  EXPECT_NEAR(r.value(), 9.0, 1e-2);  // cs231n: "loss should be around 9"
  // cs231n prints 8.999602749096233 for these inputs.
  EXPECT_NEAR(r.value(), 8.999602749096233, 1e-12);
}

TEST(SvmLossRef, HandComputedMargins) {
  // Row 0, y = 1: margins 3-4+1 = 0 (not counted), 5-4+1 = 2. Row 1, y = 0: 0.5-1+1 = 0.5, -3-1+1 < 0.
  Tensor x = Tensor::from_vector({3, 4, 5, 1, 0.5, -3}, {2, 3});
  Tensor y = Tensor::from_vector({1, 0}, {2}, DType::i32);
  LossOut r = svm_loss(x, y, kRef);
  EXPECT_DOUBLE_EQ(r.value(), (2.0 + 0.5) / 2.0);
  EXPECT_EQ(r.dx.to_vector(), (std::vector<double>{0, -0.5, 0.5, -0.5, 0.5, 0}));
}

TEST(SvmLossRef, NumericGradient) {
  SmallScores s;
  EXPECT_LT(grad_error(svm_loss, s.x, s.y), 1e-7);  // cs231n: "dx error should be around e-9"
  NumpyRandom rng(11);
  Tensor x = randn(rng, {4, 6});
  EXPECT_LT(grad_error(svm_loss, x, randint(rng, 0, 6, 4)), 1e-7);
}

TEST(LossRef, Float32AgreesWithFloat64) {
  NumpyRandom rng(12);
  Tensor x = randn(rng, {8, 5});
  Tensor y = randint(rng, 0, 5, 8);
  for (LossFn fn : {LossFn(softmax_loss), LossFn(svm_loss)}) {
    LossOut a = fn(x, y, kRef), b = fn(x.to(DType::f32), y, kRef);
    EXPECT_EQ(b.loss.dtype(), DType::f32);
    EXPECT_NEAR(b.value(), a.value(), 1e-5);
    EXPECT_LT(rel_error(b.dx, a.dx), 1e-5);
  }
}

TEST(LossRef, BadLabelsAndShapesThrowClearErrors) {
  Tensor x({2, 3}, DType::f64);
  for (LossFn fn : {LossFn(softmax_loss), LossFn(svm_loss)}) {
    EXPECT_ERROR_CONTAINS(fn(x, Tensor::from_vector({0, 3}, {2}, DType::i32), kRef), "label y[1] = 3 is out of range");
    EXPECT_ERROR_CONTAINS(fn(x, Tensor::from_vector({-1, 0}, {2}, DType::i32), kRef), "out of range");
    EXPECT_ERROR_CONTAINS(fn(x, Tensor::from_vector({0, 1}, {2}, DType::f64), kRef), "int32 labels");
    EXPECT_ERROR_CONTAINS(fn(x, Tensor::from_vector({0, 1, 2}, {3}, DType::i32), kRef), "y must have shape (2,)");
    EXPECT_ERROR_CONTAINS(fn(Tensor({2, 3, 1}, DType::f64), Tensor({2}, DType::i32), kRef), "x must have shape (N, C)");
    EXPECT_ERROR_CONTAINS(fn(Tensor({2, 3}, DType::i32), Tensor({2}, DType::i32), kRef), "float32 or float64");
  }
}
