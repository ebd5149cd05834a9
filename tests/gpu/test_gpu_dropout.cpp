// Every CUDA variant of dropout against the CPU reference: the same mask for
// the same seed (exactly), train and test mode, float32 and float64, and the
// notebook's numerical gradient check through each variant.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/gradcheck.h"
#include "host/ops/dropout/dropout.h"

using namespace convlab;
using namespace convlab::test;

namespace {

class DropoutGpu : public ::testing::TestWithParam<std::string> {};

TEST_P(DropoutGpu, TrainModeMatchesCpuReferenceMaskExactly) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(47);
  for (const Shape& s : {Shape{10, 10}, Shape{1}, Shape{3, 5, 7, 9}, Shape{500, 257}})
    for (DType dt : kBothDtypes)
      for (double p : {0.2, 0.5, 0.9, 1.0}) {
        const std::string what = GetParam() + " " + dtype_label(dt) + " " + shape_str(s) + " p " + std::to_string(p);
        DropoutParam param;
        param.p = p;
        param.seed = 1000 + static_cast<uint64_t>(p * 10);
        Tensor x = randn(rng, s, dt), dout = randn(rng, s, dt);
        auto ref_fwd = dropout_forward(x, param, "reference");
        Tensor ref_dx = dropout_backward(dout, ref_fwd.cache, "reference");
        PoisonScope poison;
        auto fwd = dropout_forward(gpu(x), param, GetParam());
        ASSERT_TRUE(fwd.cache.mask.defined()) << what;
        EXPECT_EQ(fwd.cache.mask.to_vector(), ref_fwd.cache.mask.to_vector()) << what << ": masks differ";
        EXPECT_GPU_MATCHES(fwd.out, ref_fwd.out, dt, what + " out");
        EXPECT_GPU_MATCHES(dropout_backward(gpu(dout), fwd.cache, GetParam()), ref_dx, dt, what + " dx");
      }
}

TEST_P(DropoutGpu, KeepsAboutAFractionPAndScalesByOneOverP) {
  CONVLAB_REQUIRE_GPU();
  DropoutParam param;
  param.p = 0.3;
  param.seed = 7;
  Tensor x = gpu(Tensor::full({200, 500}, 1.0));
  const auto out = dropout_forward(x, param, GetParam()).out.to_vector();
  int64_t kept = 0;
  for (double v : out) {
    if (v != 0.0) {
      ++kept;
      EXPECT_NEAR(v, 1.0 / 0.3, 1e-6);
    }
  }
  EXPECT_NEAR(static_cast<double>(kept) / static_cast<double>(out.size()), 0.3, 0.01);
}

TEST_P(DropoutGpu, TestModePassesThrough) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(53);
  for (DType dt : kBothDtypes) {
    DropoutParam param;
    param.mode = Mode::test;
    Tensor x = randn(rng, {4, 9}, dt), dout = randn(rng, {4, 9}, dt);
    PoisonScope poison;
    auto fwd = dropout_forward(gpu(x), param, GetParam());
    EXPECT_EQ(fwd.out.to_vector(), x.to_vector());
    EXPECT_EQ(dropout_backward(gpu(dout), fwd.cache, GetParam()).to_vector(), dout.to_vector());
  }
}

// The notebook's check: x = randn(10,10) + 10, p = 0.2, seed 123, float64.
TEST_P(DropoutGpu, NotebookNumericalGradient) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10});
  for (int64_t i = 0; i < x.numel(); ++i) x.set_item(i, x.item(i) + 10.0);
  Tensor dout = randn(rng, {10, 10});
  DropoutParam param;
  param.p = 0.2;
  param.seed = 123;
  Tensor dx_num = eval_numerical_gradient_array(
      [&](const Tensor& v) { return dropout_forward(gpu(v), param, GetParam()).out; }, x, dout);
  Tensor dx = dropout_backward(gpu(dout), dropout_forward(gpu(x), param, GetParam()).cache, GetParam());
  EXPECT_LT(rel_error(dx, dx_num), 1e-10) << GetParam();  // cs231n: "around e-10 or less"
}

TEST_P(DropoutGpu, RejectsBadParameters) {
  CONVLAB_REQUIRE_GPU();
  Tensor x = gpu(Tensor::zeros({2, 2}));
  DropoutParam param;
  param.p = 0.0;
  EXPECT_ERROR_CONTAINS(dropout_forward(x, param, GetParam()), "0 < p <= 1");
  param.p = 1.5;
  EXPECT_ERROR_CONTAINS(dropout_forward(x, param, GetParam()), "0 < p <= 1");
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(DropoutGpu, DropoutImpl);

}  // namespace

TEST(DropoutCudaRegistry, HasAVariantAndRejectsCpuTensors) {
  ASSERT_FALSE(cuda_variants<DropoutImpl>().empty());
  for (const auto& v : cuda_variants<DropoutImpl>())
    EXPECT_THROW(OpRegistry<DropoutImpl>::get(Device::cuda, v).forward(Tensor::zeros({2, 2}), DropoutParam{}), Error)
        << v;
}
