// scale: the CPU reference on hand-computed values and its numeric gradient;
// every CUDA variant against the CPU reference (bit for bit: one multiply).
#include <gtest/gtest.h>

#include <limits>

#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/scale/scale.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

TEST(ScaleRef, ForwardAndBackwardByHand) {
  const Tensor x = Tensor::from_vector({-2.0, 0.0, 0.5, 9.0, 3.0, -4.5}, {2, 3});
  const Tensor out = scale_forward(x, 1.0 / 9.0, "reference");
  ASSERT_EQ(out.shape(), (Shape{2, 3}));
  const std::vector<double> want = {-2.0 / 9.0, 0.0, 0.5 / 9.0, 1.0, 3.0 / 9.0, -0.5};
  for (int64_t i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(out.item(i), want[i]) << i;
  const Tensor dout = Tensor::from_vector({1.0, -1.0, 2.0, 0.0, 4.0, 8.0}, {2, 3});
  const Tensor dx = scale_backward(dout, 0.25, "reference");
  const std::vector<double> want_dx = {0.25, -0.25, 0.5, 0.0, 1.0, 2.0};
  for (int64_t i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(dx.item(i), want_dx[i]) << i;
  // float32: the factor rounded to float, one float multiply
  const Tensor xf = Tensor::from_vector({3.0f}, {1}, DType::f32);
  EXPECT_EQ(scale_forward(xf, 0.1111, "reference").data<float>()[0], 0.1111f * 3.0f);
}

TEST(ScaleRef, BackwardNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {4, 3, 5}), dout = randn(rng, {4, 3, 5});
  Tensor dx_num =
      eval_numerical_gradient_array([](const Tensor& v) { return scale_forward(v, 0.1111, "reference"); }, x, dout);
  EXPECT_LT(rel_error(scale_backward(dout, 0.1111, "reference"), dx_num), 1e-9);
}

TEST(ScaleRef, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<ScaleImpl>::default_variant(Device::cpu), "reference");
  EXPECT_THROW(scale_forward(Tensor({2, 2}, DType::i32), 2.0), Error);
  EXPECT_THROW(scale_forward(Tensor({2, 2}), std::numeric_limits<double>::infinity()), Error);
}

// --- The CUDA variants -------------------------------------------------------

namespace {

class ScaleGpu : public ::testing::TestWithParam<std::string> {};

TEST_P(ScaleGpu, MatchesCpuReferenceExactly) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(43);
  for (const Shape& s : {Shape{10, 10}, Shape{1}, Shape{3, 5, 7, 9}, Shape{1000, 33}})
    for (DType dt : kBothDtypes) {
      const std::string what = GetParam() + " " + dtype_label(dt) + " " + shape_str(s);
      Tensor x = randn(rng, s, dt);
      const Tensor ref = scale_forward(x, 0.1111, "reference");
      PoisonScope poison;
      const Tensor out = scale_forward(gpu(x), 0.1111, GetParam());
      EXPECT_TRUE(out.is_cuda()) << what;
      EXPECT_EQ(norm_rel_error(out.to(Device::cpu), ref), 0.0) << what;
      EXPECT_EQ(norm_rel_error(scale_backward(gpu(x), -3.5, GetParam()).to(Device::cpu),
                               scale_backward(x, -3.5, "reference")),
                0.0)
          << what;
    }
}

TEST_P(ScaleGpu, RejectsCpuTensors) {
  CONVLAB_REQUIRE_GPU();
  EXPECT_THROW(OpRegistry<ScaleImpl>::get(Device::cuda, GetParam()).apply(Tensor::zeros({2, 2}), 2.0), Error);
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(ScaleGpu, ScaleImpl);

}  // namespace

TEST(ScaleCudaRegistry, HasAVariant) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  EXPECT_FALSE(cuda_variants<ScaleImpl>().empty());
}
