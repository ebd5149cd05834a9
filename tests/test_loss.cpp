// softmax_loss and svm_loss: the CPU references against cs231n's loss checks,
// numeric gradients, numerical stability, float32 and label/shape errors; the
// threaded CPU softmax_loss against the reference and numerical gradients;
// every CUDA variant of both against the CPU reference (loss and dx, float32
// and float64, small and large class counts), the cs231n numerical gradient
// checks through each, and bad labels. Label smoothing and the sum reduction:
// hand-computed losses and gradients, numerical gradients, every variant
// against the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/loss/loss.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

namespace {
using LossFn = LossOut (*)(const Tensor&, const Tensor&, const std::string&);
}  // namespace

// --- The CPU reference -------------------------------------------------------

class SoftmaxLossRef : public ReferenceVariants {};
class SvmLossRef : public ReferenceVariants {};
class LossRef : public ReferenceVariants {};

namespace {

const char* kRef = "reference";

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

TEST_F(SoftmaxLossRef, SmallRandomScoresGiveLogC) {
  SmallScores s;
  LossOut r = softmax_loss(s.x, s.y, kRef);
  EXPECT_EQ(r.loss.shape(), Shape{});
  EXPECT_EQ(r.loss.dtype(), DType::f64);
  EXPECT_EQ(r.dx.shape(), s.x.shape());
  EXPECT_NEAR(r.value(), std::log(10.0), 1e-3);  // cs231n: "loss should be close to 2.3"
  // cs231n prints 2.302545844500738 for these inputs.
  EXPECT_NEAR(r.value(), 2.302545844500738, 1e-12);
}

TEST_F(SoftmaxLossRef, NumericGradient) {
  SmallScores s;
  EXPECT_LT(grad_error(softmax_loss, s.x, s.y), 1e-7);  // cs231n: "dx error should be around e-8"
  NumpyRandom rng(9);
  Tensor x = randn(rng, {3, 7});  // larger scores, C = 7
  EXPECT_LT(grad_error(softmax_loss, x, randint(rng, 0, 7, 3)), 1e-7);
}

TEST_F(SoftmaxLossRef, StableForHugeScores) {
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

TEST_F(SvmLossRef, SmallRandomScoresGiveCMinusOne) {
  SmallScores s;
  LossOut r = svm_loss(s.x, s.y, kRef);
  EXPECT_EQ(r.loss.shape(), Shape{});
  EXPECT_NEAR(r.value(), 9.0, 1e-2);  // cs231n: "loss should be around 9"
  // cs231n prints 8.999602749096233 for these inputs.
  EXPECT_NEAR(r.value(), 8.999602749096233, 1e-12);
}

TEST_F(SvmLossRef, HandComputedMargins) {
  // Row 0, y = 1: margins 3-4+1 = 0 (not counted), 5-4+1 = 2. Row 1, y = 0: 0.5-1+1 = 0.5, -3-1+1 < 0.
  Tensor x = Tensor::from_vector({3, 4, 5, 1, 0.5, -3}, {2, 3});
  Tensor y = Tensor::from_vector({1, 0}, {2}, DType::i32);
  LossOut r = svm_loss(x, y, kRef);
  EXPECT_DOUBLE_EQ(r.value(), (2.0 + 0.5) / 2.0);
  EXPECT_EQ(r.dx.to_vector(), (std::vector<double>{0, -0.5, 0.5, -0.5, 0.5, 0}));
}

TEST_F(SvmLossRef, NumericGradient) {
  SmallScores s;
  EXPECT_LT(grad_error(svm_loss, s.x, s.y), 1e-7);  // cs231n: "dx error should be around e-9"
  NumpyRandom rng(11);
  Tensor x = randn(rng, {4, 6});
  EXPECT_LT(grad_error(svm_loss, x, randint(rng, 0, 6, 4)), 1e-7);
}

TEST_F(LossRef, Float32AgreesWithFloat64) {
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

TEST_F(LossRef, BadLabelsAndShapesThrowClearErrors) {
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

// --- Label smoothing and reduction ---------------------------------------------

namespace {

// x = [[1, 2, 3], [0, 0, 0]], y = [2, 0], eps = 0.3, by hand: row 0 has
// log z = 3 + log(1 + e^-1 + e^-2), -log p = log z - x = [2, 1, 0] + L with
// L = log(1 + e^-1 + e^-2), so CE = L and mean_c(-log p_c) = 1 + L: the row
// loss is 0.7 L + 0.3 (1 + L) = L + 0.3. Row 1 is uniform: every -log p_c is
// log 3, the row loss log 3. dx = p - target, target 0.1 off the label and
// 0.8 on it; p of row 0 = [e^-2, e^-1, 1] / (1 + e^-1 + e^-2), of row 1 1/3.
struct Smoothed2x3 {
  Tensor x = Tensor::from_vector({1, 2, 3, 0, 0, 0}, {2, 3});
  Tensor y = Tensor::from_vector({2, 0}, {2}, DType::i32);
  double L = std::log(1 + std::exp(-1.0) + std::exp(-2.0));
  double loss_sum = L + 0.3 + std::log(3.0);
  std::vector<double> dx_sum() const {
    const double z = 1 + std::exp(-1.0) + std::exp(-2.0);
    return {
        std::exp(-2.0) / z - 0.1, std::exp(-1.0) / z - 0.1, 1 / z - 0.8, 1 / 3.0 - 0.8, 1 / 3.0 - 0.1, 1 / 3.0 - 0.1};
  }
};

void expect_near_all(const Tensor& got, const std::vector<double>& want, double tol, const std::string& what) {
  const std::vector<double> g = got.to(Device::cpu).to_vector();
  ASSERT_EQ(g.size(), want.size()) << what;
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], tol) << what << " [" << i << "]";
}

// The parameter sets every variant is checked with.
const SoftmaxLossParam kSoftmaxParams[] = {
    {0.1, LossReduction::mean}, {0.25, LossReduction::sum}, {0.0, LossReduction::sum}, {0.0, LossReduction::mean}};

std::string param_label(const SoftmaxLossParam& p) {
  return "eps " + std::to_string(p.label_smoothing) + " " + loss_reduction_name(p.reduction);
}

}  // namespace

TEST(SoftmaxLossSmoothing, HandComputed2x3EveryCpuVariant) {
  const Smoothed2x3 h;
  for (const char* v : {"reference", "threaded"}) {
    for (DType dt : {DType::f64, DType::f32}) {
      const double tol = dt == DType::f64 ? 1e-12 : 1e-6;
      const std::string what = std::string(v) + " " + dtype_name(dt);
      LossOut sum = softmax_loss(h.x.to(dt), h.y, SoftmaxLossParam{0.3, LossReduction::sum}, v);
      EXPECT_NEAR(sum.value(), h.loss_sum, tol) << what;  // 1.806218...
      expect_near_all(sum.dx, h.dx_sum(), tol, what + " sum dx");
      LossOut mean = softmax_loss(h.x.to(dt), h.y, SoftmaxLossParam{0.3, LossReduction::mean}, v);
      EXPECT_NEAR(mean.value(), h.loss_sum / 2, tol) << what;  // 0.903109...
      std::vector<double> half = h.dx_sum();
      for (double& d : half) d /= 2;
      expect_near_all(mean.dx, half, tol, what + " mean dx");
    }
  }
  EXPECT_NEAR(h.loss_sum, 1.806218253, 1e-9);  // the numbers worked out on paper
}

TEST(SoftmaxLossSmoothing, NumericalGradientOfTheSmoothedLoss) {
  NumpyRandom rng(5);
  Tensor x = randn(rng, {6, 5});
  Tensor y = randint(rng, 0, 5, 6);
  for (const char* v : {"reference", "threaded"})
    for (const SoftmaxLossParam& p : kSoftmaxParams) {
      Tensor dx_num = eval_numerical_gradient([&](const Tensor& t) { return softmax_loss(t, y, p, v).value(); }, x);
      // Elements of dx near 0 (the smoothed target is close to p) bound the relative error at ~4e-7.
      EXPECT_LT(rel_error(softmax_loss(x, y, p, v).dx, dx_num), 1e-6) << v << " " << param_label(p);
    }
}

TEST(SoftmaxLossSmoothing, ThreadedMatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    NumpyRandom rng(17);
    for (auto [N, C] : {std::pair<int64_t, int64_t>{1, 1}, {50, 10}, {2000, 37}})
      for (const SoftmaxLossParam& p : kSoftmaxParams) {
        SCOPED_TRACE("N " + std::to_string(N) + " C " + std::to_string(C) + " " + param_label(p));
        Tensor x = randn_as(rng, {N, C}, dt, 3.0);
        Tensor y = randint(rng, 0, C, N);
        LossOut ref = softmax_loss(x, y, p, "reference");
        LossOut fast = softmax_loss(x, y, p, "threaded");
        EXPECT_FAST_MATCHES(fast.loss, ref.loss, dt, "loss");
        EXPECT_FAST_MATCHES(fast.dx, ref.dx, dt, "dx");
      }
  });
}

TEST(SoftmaxLossSmoothing, SumIsNTimesTheMeanAndDefaultsAreTheMean) {
  NumpyRandom rng(3);
  Tensor x = randn(rng, {7, 4});
  Tensor y = randint(rng, 0, 4, 7);
  for (const char* v : {"reference", "threaded"}) {
    LossOut mean = softmax_loss(x, y, v), sum = softmax_loss(x, y, SoftmaxLossParam{0.0, LossReduction::sum}, v);
    EXPECT_NEAR(sum.value(), 7 * mean.value(), 1e-12) << v;
    std::vector<double> seven = mean.dx.to_vector();
    for (double& d : seven) d *= 7.0;
    expect_near_all(sum.dx, seven, 1e-14, std::string(v) + " sum dx");
    // The default parameters are today's op, to the bit.
    LossOut same = softmax_loss(x, y, SoftmaxLossParam{}, v);
    EXPECT_EQ(same.value(), mean.value()) << v;
    EXPECT_EQ(same.dx.to_vector(), mean.dx.to_vector()) << v;
  }
  // svm_loss: the same hand-computed margins as HandComputedMargins, summed.
  Tensor xs = Tensor::from_vector({3, 4, 5, 1, 0.5, -3}, {2, 3});
  LossOut r = svm_loss(xs, Tensor::from_vector({1, 0}, {2}, DType::i32), SvmLossParam{LossReduction::sum}, kRef);
  EXPECT_DOUBLE_EQ(r.value(), 2.0 + 0.5);
  EXPECT_EQ(r.dx.to_vector(), (std::vector<double>{0, -1, 1, -1, 1, 0}));
}

TEST(SoftmaxLossSmoothing, LabelSmoothingOutsideZeroOneIsRejected) {
  Tensor x({2, 3}, DType::f64);
  Tensor y = Tensor::from_vector({0, 1}, {2}, DType::i32);
  for (const char* v : {"reference", "threaded"}) {
    EXPECT_ERROR_CONTAINS(softmax_loss(x, y, SoftmaxLossParam{1.0, LossReduction::mean}, v),
                          "label_smoothing must be in [0, 1), got 1");
    EXPECT_ERROR_CONTAINS(softmax_loss(x, y, SoftmaxLossParam{-0.1, LossReduction::mean}, v),
                          "label_smoothing must be in [0, 1)");
  }
}

// --- The threaded CPU variant ------------------------------------------------

TEST(CpuFastSoftmaxLoss, MatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 9;
    for (auto [N, C] : {std::pair<int64_t, int64_t>{1, 1}, {1, 10}, {50, 10}, {2000, 37}}) {
      SCOPED_TRACE("N " + std::to_string(N) + " C " + std::to_string(C));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, {N, C}, dt, 3.0);
      Tensor y = randint(rng, 0, C, N);
      LossOut ref = softmax_loss(x, y, "reference");
      LossOut fast = softmax_loss(x, y, "threaded");
      EXPECT_EQ(fast.loss.shape(), Shape{});
      EXPECT_FAST_MATCHES(fast.loss, ref.loss, dt, "loss");
      EXPECT_FAST_MATCHES(fast.dx, ref.dx, dt, "dx");
    }
  });
}

TEST(CpuFastSoftmaxLoss, GradientMatchesNumericalGradientAndIsStable) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {50, 10}, DType::f64, 0.001);
  Tensor y = randint(rng, 0, 10, 50);
  LossOut r = softmax_loss(x, y, "threaded");
  EXPECT_NEAR(r.value(), std::log(10.0), 0.01);  // the notebook's sanity check
  Tensor dx_num = eval_numerical_gradient([&](const Tensor& v) { return softmax_loss(v, y, "threaded").value(); }, x);
  EXPECT_GRAD_CLOSE(r.dx, dx_num, "dx");
  Tensor big = Tensor::from_vector({1000, 0, -1000, 1000}, {2, 2}, DType::f32);  // no overflow
  LossOut s = softmax_loss(big, Tensor::from_vector({1, 0}, {2}, DType::i32), "threaded");
  EXPECT_NEAR(s.value(), (1000.0 + 2000.0) / 2, 1e-3);  // -log softmax = the gap to the row maximum
  for (double v : s.dx.to_vector()) EXPECT_TRUE(std::isfinite(v));
}

TEST(CpuFastSoftmaxLoss, IsTheCpuDefaultAndRejectsBadLabels) {
  EXPECT_EQ(OpRegistry<SoftmaxLossImpl>::default_variant(Device::cpu), "threaded");
  Tensor x({2, 3});
  EXPECT_THROW(softmax_loss(x, Tensor::from_vector({0, 3}, {2}, DType::i32), "threaded"), Error);
  EXPECT_THROW(softmax_loss(x, Tensor::from_vector({0, -1}, {2}, DType::i32), "threaded"), Error);
  EXPECT_THROW(softmax_loss(x, Tensor::from_vector({0}, {1}, DType::i32), "threaded"), Error);
}

// --- The CUDA variants -------------------------------------------------------

namespace {

struct LossCase {
  int64_t N, C;
  double scale;
};

const LossCase kCases[] = {
    {50, 10, 0.001},   // cs231n's check inputs
    {1, 1, 1.0},       // one row, one class
    {3, 7, 3.0},       // larger scores
    {37, 33, 1.0},     // C just over a warp
    {200, 1000, 2.0},  // many classes
};

void check_against_reference(LossFn fn, const std::string& variant) {
  NumpyRandom rng(59);
  for (const LossCase& c : kCases)
    for (DType dt : kBothDtypes) {
      const std::string what =
          variant + " " + dtype_label(dt) + " N " + std::to_string(c.N) + " C " + std::to_string(c.C);
      Tensor x = randn(rng, {c.N, c.C}, dt, c.scale);
      Tensor y = randint(rng, 0, c.C, c.N);
      LossOut ref = fn(x, y, "reference");
      PoisonScope poison;
      LossOut out = fn(gpu(x), gpu(y), variant);
      EXPECT_TRUE(out.loss.is_cuda()) << what;
      EXPECT_EQ(out.loss.ndim(), 0) << what;
      EXPECT_EQ(out.loss.dtype(), dt) << what;
      EXPECT_GPU_MATCHES(out.loss, ref.loss, dt, what + " loss");
      EXPECT_GPU_MATCHES(out.dx, ref.dx, dt, what + " dx");
    }
}

// cs231n: x = 0.001 * randn(50, 10), y = randint(10, size=50), float64.
double numeric_grad_error(LossFn fn, const std::string& variant) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {50, 10}, DType::f64, 0.001);
  Tensor y = gpu(randint(rng, 0, 10, 50));
  Tensor dx_num = eval_numerical_gradient([&](const Tensor& v) { return fn(gpu(v), y, variant).value(); }, x);
  return rel_error(fn(gpu(x), y, variant).dx, dx_num);
}

void check_bad_input(LossFn fn, const std::string& variant) {
  Tensor x = gpu(Tensor::zeros({4, 3}));
  NumpyRandom rng(1);
  EXPECT_THROW(fn(x, randint(rng, 0, 3, 4), variant), Error);                                // y on the CPU
  EXPECT_THROW(fn(x, gpu(Tensor::zeros({4}, DType::i32).reshape({2, 2})), variant), Error);  // y not (N,)
  EXPECT_THROW(fn(x, gpu(Tensor::zeros({4}, DType::f32)), variant), Error);                  // y not int32
  // A label out of range cannot be reported without a host copy: it makes the loss NaN.
  Tensor y = Tensor::zeros({4}, DType::i32);
  y.set_item(2, 3.0);
  EXPECT_TRUE(std::isnan(fn(x, gpu(y), variant).value())) << variant;
  y.set_item(2, -1.0);
  EXPECT_TRUE(std::isnan(fn(x, gpu(y), variant).value())) << variant;
}

class SoftmaxLossGpu : public ::testing::TestWithParam<std::string> {};
class SvmLossGpu : public ::testing::TestWithParam<std::string> {};

TEST_P(SoftmaxLossGpu, MatchesCpuReference) {
  CONVLAB_REQUIRE_GPU();
  check_against_reference(softmax_loss, GetParam());
}
TEST_P(SoftmaxLossGpu, NumericalGradient) {
  CONVLAB_REQUIRE_GPU();
  EXPECT_LT(numeric_grad_error(softmax_loss, GetParam()), 1e-7);  // cs231n: "around e-8"
}
TEST_P(SoftmaxLossGpu, LossOfTinyScoresIsLogC) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {50, 10}, DType::f64, 0.001);
  EXPECT_NEAR(softmax_loss(gpu(x), gpu(randint(rng, 0, 10, 50)), GetParam()).value(), std::log(10.0), 1e-2);
}
TEST_P(SoftmaxLossGpu, SmoothingAndReductionMatchCpuReference) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(61);
  for (const LossCase& c : kCases)
    for (DType dt : kBothDtypes)
      for (const SoftmaxLossParam& p : kSoftmaxParams) {
        const std::string what = GetParam() + " " + dtype_label(dt) + " N " + std::to_string(c.N) + " C " +
                                 std::to_string(c.C) + " " + param_label(p);
        Tensor x = randn(rng, {c.N, c.C}, dt, c.scale);
        Tensor y = randint(rng, 0, c.C, c.N);
        LossOut ref = softmax_loss(x, y, p, "reference");
        PoisonScope poison;
        LossOut out = softmax_loss(gpu(x), gpu(y), p, GetParam());
        EXPECT_GPU_MATCHES(out.loss, ref.loss, dt, what + " loss");
        EXPECT_GPU_MATCHES(out.dx, ref.dx, dt, what + " dx");
      }
  // The hand-computed 2x3 example and the numerical gradient of the smoothed loss.
  const Smoothed2x3 h;
  LossOut sum = softmax_loss(gpu(h.x), gpu(h.y), SoftmaxLossParam{0.3, LossReduction::sum}, GetParam());
  EXPECT_NEAR(sum.value(), h.loss_sum, 1e-12);
  expect_near_all(sum.dx, h.dx_sum(), 1e-12, GetParam() + " sum dx");
  Tensor x = randn(rng, {6, 5});
  Tensor y = gpu(randint(rng, 0, 5, 6));
  const SoftmaxLossParam p{0.2, LossReduction::mean};
  Tensor dx_num =
      eval_numerical_gradient([&](const Tensor& t) { return softmax_loss(gpu(t), y, p, GetParam()).value(); }, x);
  EXPECT_LT(rel_error(softmax_loss(gpu(x), y, p, GetParam()).dx, dx_num), 1e-7);
  EXPECT_ERROR_CONTAINS(softmax_loss(gpu(h.x), gpu(h.y), SoftmaxLossParam{1.5, LossReduction::mean}, GetParam()),
                        "label_smoothing must be in [0, 1)");
}
TEST_P(SoftmaxLossGpu, RejectsBadInput) {
  CONVLAB_REQUIRE_GPU();
  check_bad_input(softmax_loss, GetParam());
}

TEST_P(SvmLossGpu, MatchesCpuReference) {
  CONVLAB_REQUIRE_GPU();
  check_against_reference(svm_loss, GetParam());
}
TEST_P(SvmLossGpu, NumericalGradient) {
  CONVLAB_REQUIRE_GPU();
  EXPECT_LT(numeric_grad_error(svm_loss, GetParam()), 1e-7);  // cs231n: "around e-9"
}
TEST_P(SvmLossGpu, LossOfTinyScoresIsCMinusOne) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {50, 10}, DType::f64, 0.001);
  EXPECT_NEAR(svm_loss(gpu(x), gpu(randint(rng, 0, 10, 50)), GetParam()).value(), 9.0, 1e-1);
}
TEST_P(SvmLossGpu, SumReductionMatchesCpuReference) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(67);
  const SvmLossParam p{LossReduction::sum};
  for (const LossCase& c : kCases)
    for (DType dt : kBothDtypes) {
      const std::string what =
          GetParam() + " " + dtype_label(dt) + " N " + std::to_string(c.N) + " C " + std::to_string(c.C) + " sum";
      Tensor x = randn(rng, {c.N, c.C}, dt, c.scale);
      Tensor y = randint(rng, 0, c.C, c.N);
      LossOut ref = svm_loss(x, y, p, "reference");
      PoisonScope poison;
      LossOut out = svm_loss(gpu(x), gpu(y), p, GetParam());
      EXPECT_GPU_MATCHES(out.loss, ref.loss, dt, what + " loss");
      EXPECT_GPU_MATCHES(out.dx, ref.dx, dt, what + " dx");
    }
}
TEST_P(SvmLossGpu, RejectsBadInput) {
  CONVLAB_REQUIRE_GPU();
  check_bad_input(svm_loss, GetParam());
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(SoftmaxLossGpu, SoftmaxLossImpl);
CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(SvmLossGpu, SvmLossImpl);

}  // namespace

TEST(LossCudaRegistry, VariantsAndDefaults) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  for (const auto& v : {cuda_variants<SoftmaxLossImpl>(), cuda_variants<SvmLossImpl>()})
    for (const char* name : {"naive", "warp"}) EXPECT_NE(std::find(v.begin(), v.end(), name), v.end()) << name;
  EXPECT_EQ(OpRegistry<SoftmaxLossImpl>::default_variant(Device::cuda), "warp");
  EXPECT_EQ(OpRegistry<SvmLossImpl>::default_variant(Device::cuda), "warp");
}

TEST(LossCudaRegistry, CpuTensorsAreRejected) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  Tensor x = Tensor::zeros({2, 3}), y = Tensor::zeros({2}, DType::i32);
  for (const auto& v : cuda_variants<SoftmaxLossImpl>())
    EXPECT_THROW(OpRegistry<SoftmaxLossImpl>::get(Device::cuda, v).fn(x, y, {}), Error) << v;
  for (const auto& v : cuda_variants<SvmLossImpl>())
    EXPECT_THROW(OpRegistry<SvmLossImpl>::get(Device::cuda, v).fn(x, y, {}), Error) << v;
}
