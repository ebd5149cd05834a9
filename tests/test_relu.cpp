// Every CUDA variant of relu against the CPU reference and the notebook's
// numerical gradient check through each.
#include <gtest/gtest.h>

#include "gpu_core_test_util.h"
#include "host/gradcheck.h"
#include "host/ops/relu/relu.h"

using namespace convlab;
using namespace convlab::test;

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
  Tensor dx_num = eval_numerical_gradient_array(
      [&](const Tensor& v) { return relu_forward(gpu(v), GetParam()).out; }, x, dout);
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
  ASSERT_FALSE(cuda_variants<ReluImpl>().empty());
  for (const auto& v : cuda_variants<ReluImpl>())
    EXPECT_THROW(OpRegistry<ReluImpl>::get(Device::cuda, v).forward(Tensor::zeros({2, 2})), Error) << v;
}
