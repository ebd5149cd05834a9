// Every CUDA variant of softmax_loss and svm_loss against the CPU reference
// (loss and dx, float32 and float64, small and large class counts), the
// cs231n numerical gradient checks through each, and bad labels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/gradcheck.h"
#include "host/ops/loss/loss.h"

using namespace convlab;
using namespace convlab::test;

namespace {

using LossFn = LossOut (*)(const Tensor&, const Tensor&, const std::string&);

struct LossCase {
  int64_t N, C;
  double scale;
};

const LossCase kCases[] = {
    {50, 10, 0.001},  // cs231n's check inputs
    {1, 1, 1.0},      // one row, one class
    {3, 7, 3.0},      // larger scores
    {37, 33, 1.0},    // C just over a warp
    {200, 1000, 2.0}, // many classes
};

void check_against_reference(LossFn fn, const std::string& variant) {
  NumpyRandom rng(59);
  for (const LossCase& c : kCases)
    for (DType dt : kBothDtypes) {
      const std::string what = variant + " " + dtype_label(dt) + " N " + std::to_string(c.N) + " C " +
                               std::to_string(c.C);
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
TEST_P(SvmLossGpu, RejectsBadInput) {
  CONVLAB_REQUIRE_GPU();
  check_bad_input(svm_loss, GetParam());
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(SoftmaxLossGpu, SoftmaxLossImpl);
CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(SvmLossGpu, SvmLossImpl);

}  // namespace

TEST(LossCudaRegistry, VariantsAndDefaults) {
  for (const auto& v : {cuda_variants<SoftmaxLossImpl>(), cuda_variants<SvmLossImpl>()})
    for (const char* name : {"naive", "warp"}) EXPECT_NE(std::find(v.begin(), v.end(), name), v.end()) << name;
  EXPECT_EQ(OpRegistry<SoftmaxLossImpl>::default_variant(Device::cuda), "warp");
  EXPECT_EQ(OpRegistry<SvmLossImpl>::default_variant(Device::cuda), "warp");
}

TEST(LossCudaRegistry, CpuTensorsAreRejected) {
  Tensor x = Tensor::zeros({2, 3}), y = Tensor::zeros({2}, DType::i32);
  for (const auto& v : cuda_variants<SoftmaxLossImpl>())
    EXPECT_THROW(OpRegistry<SoftmaxLossImpl>::get(Device::cuda, v).fn(x, y), Error) << v;
  for (const auto& v : cuda_variants<SvmLossImpl>())
    EXPECT_THROW(OpRegistry<SvmLossImpl>::get(Device::cuda, v).fn(x, y), Error) << v;
}
