// relu: the CPU reference (cs231n's relu forward check and numeric gradient
// check); the threaded CPU variant against the reference and numerical
// gradients; every CUDA variant against the CPU reference and the notebook's
// numerical gradient check through each.
#include <gtest/gtest.h>

#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/relu/relu.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

namespace {
const char* kRef = "reference";
}

class ReluRef : public ReferenceVariants {};

// cs231n's relu_forward check: x = linspace(-0.5, 0.5, 12).reshape(3, 4).
TEST_F(ReluRef, ForwardZeroesNegatives) {
  Tensor x = linspace(-0.5, 0.5, {3, 4});
  Tensor out = relu_forward(x, kRef).out;
  Tensor correct_out = Tensor::from_vector(
      {0., 0., 0., 0., 0., 0., 0.04545455, 0.13636364, 0.22727273, 0.31818182, 0.40909091, 0.5}, {3, 4});
  EXPECT_LT(rel_error(out, correct_out), 5e-8);
}

// cs231n's relu_backward check: np.random.seed(231), x (10, 10).
TEST_F(ReluRef, BackwardNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10}), dout = randn(rng, {10, 10});
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return relu_forward(v, kRef).out; }, x, dout);
  Tensor dx = relu_backward(dout, relu_forward(x, kRef).cache, kRef);
  EXPECT_LT(rel_error(dx, dx_num), 1e-10);  // cs231n: "error should be on the order of e-12"
}

// --- The threaded CPU variant ------------------------------------------------

TEST(CpuFastRelu, MatchesReferenceExactly) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 7;
    for (const Shape& s : {Shape{1}, Shape{3, 4}, Shape{2, 3, 5, 7}, Shape{50, 32, 32, 32}}) {
      SCOPED_TRACE("x " + shape_str(s));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, s, dt);
      auto ref = relu_forward(x, "reference");
      auto fast = relu_forward(x, "threaded");
      EXPECT_EQ(norm_rel_error(fast.out, ref.out), 0.0);
      Tensor dout = randn_as(rng, s, dt);
      EXPECT_EQ(
          norm_rel_error(relu_backward(dout, fast.cache, "threaded"), relu_backward(dout, ref.cache, "reference")),
          0.0);
    }
  });
}

TEST(CpuFastRelu, GradientMatchesNumericalGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10});
  Tensor dout = randn(rng, {10, 10});
  auto fwd = relu_forward(x, "threaded");
  Tensor dx_num =
      eval_numerical_gradient_array([](const Tensor& v) { return relu_forward(v, "threaded").out; }, x, dout);
  EXPECT_GRAD_CLOSE(relu_backward(dout, fwd.cache, "threaded"), dx_num, "dx");
}

TEST(CpuFastRelu, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<ReluImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_THROW(relu_forward(Tensor({2, 2}, DType::i32), "threaded"), Error);
  auto fwd = relu_forward(Tensor({2, 2}), "threaded");
  EXPECT_THROW(relu_backward(Tensor({2, 3}), fwd.cache, "threaded"), Error);
}

// --- The CUDA variants -------------------------------------------------------

namespace {

class ReluGpu : public ::testing::TestWithParam<std::string> {};

TEST_P(ReluGpu, MatchesCpuReferenceForwardAndBackward) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(43);
  for (const Shape& s : {Shape{10, 10}, Shape{1}, Shape{3, 5, 7, 9}, Shape{1000, 33}})
    for (DType dt : kBothDtypes) {
      const std::string what = GetParam() + " " + dtype_label(dt) + " " + shape_str(s);
      Tensor x = randn(rng, s, dt), dout = randn(rng, s, dt);
      auto ref_fwd = relu_forward(x, "reference");
      Tensor ref_dx = relu_backward(dout, ref_fwd.cache, "reference");
      PoisonScope poison;
      auto fwd = relu_forward(gpu(x), GetParam());
      EXPECT_GPU_MATCHES(fwd.out, ref_fwd.out, dt, what + " out");
      EXPECT_GPU_MATCHES(relu_backward(gpu(dout), fwd.cache, GetParam()), ref_dx, dt, what + " dx");
    }
}

// The notebook's relu_backward check: x (10,10), float64.
TEST_P(ReluGpu, NotebookNumericalGradient) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10}), dout = randn(rng, {10, 10});
  Tensor dx_num =
      eval_numerical_gradient_array([&](const Tensor& v) { return relu_forward(gpu(v), GetParam()).out; }, x, dout);
  Tensor dx = relu_backward(gpu(dout), relu_forward(gpu(x), GetParam()).cache, GetParam());
  EXPECT_LT(rel_error(dx, dx_num), 1e-10) << GetParam();
}

TEST_P(ReluGpu, RejectsMismatchedDout) {
  CONVLAB_REQUIRE_GPU();
  auto fwd = relu_forward(gpu(Tensor::zeros({3, 4})), GetParam());
  EXPECT_THROW(relu_backward(gpu(Tensor::zeros({4, 3})), fwd.cache, GetParam()), Error);
  EXPECT_THROW(relu_backward(Tensor::zeros({3, 4}), fwd.cache, GetParam()), Error);
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(ReluGpu, ReluImpl);

}  // namespace

TEST(ReluCudaRegistry, HasAVariantAndRejectsCpuTensors) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  ASSERT_FALSE(cuda_variants<ReluImpl>().empty());
  for (const auto& v : cuda_variants<ReluImpl>())
    EXPECT_THROW(OpRegistry<ReluImpl>::get(Device::cuda, v).forward(Tensor::zeros({2, 2})), Error) << v;
}
