// Every CUDA variant of affine against the CPU reference (float32, float64,
// awkward shapes) and the notebook's numerical gradient check through each.
#include <gtest/gtest.h>

#include <algorithm>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/gradcheck.h"
#include "host/ops/affine/affine.h"

using namespace convlab;
using namespace convlab::test;

namespace {

struct AffineCase {
  Shape x;
  int64_t M;
};

const AffineCase kCases[] = {
    {{10, 2, 3}, 5},       // the notebook's shapes (x reshaped to (N, D))
    {{1, 7}, 1},           // N = 1, M = 1
    {{33, 3, 4, 5}, 17},   // rank-4 input, sizes off any tile
    {{64, 300}, 129},      // larger, M not a multiple of 32
};

class AffineGpu : public ::testing::TestWithParam<std::string> {};

TEST_P(AffineGpu, MatchesCpuReferenceForwardAndBackward) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  NumpyRandom rng(41);
  for (const AffineCase& c : kCases)
    for (DType dt : kBothDtypes) {
      const std::string what = variant + " " + dtype_label(dt) + " x " + shape_str(c.x) + " M " + std::to_string(c.M);
      const int64_t D = shape_numel(c.x) / c.x[0];
      Tensor x = randn(rng, c.x, dt), w = randn(rng, {D, c.M}, dt), b = randn(rng, {c.M}, dt);
      auto ref_fwd = affine_forward(x, w, b, "reference");
      Tensor dout = randn(rng, ref_fwd.out.shape(), dt);
      Grads ref_g = affine_backward(dout, ref_fwd.cache, "reference");
      PoisonScope poison;
      auto fwd = affine_forward(gpu(x), gpu(w), gpu(b), variant);
      ASSERT_EQ(fwd.out.shape(), ref_fwd.out.shape()) << what;
      EXPECT_GPU_MATCHES(fwd.out, ref_fwd.out, dt, what + " out");
      Grads g = affine_backward(gpu(dout), fwd.cache, variant);
      EXPECT_EQ(g.dx.shape(), x.shape()) << what;
      EXPECT_GPU_MATCHES(g.dx, ref_g.dx, dt, what + " dx");
      EXPECT_GPU_MATCHES(g.dw, ref_g.dw, dt, what + " dw");
      EXPECT_GPU_MATCHES(g.db, ref_g.db, dt, what + " db");
      Grads gp = affine_backward_params(gpu(dout), fwd.cache, variant);
      EXPECT_PARAMS_ONLY_MATCHES(gp, ref_g, dt, what);
    }
}

// The notebook's affine_backward check: x (10,2,3), w (6,5), b (5,), float64.
TEST_P(AffineGpu, NotebookNumericalGradient) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 2, 3}), w = randn(rng, {6, 5}), b = randn(rng, {5}), dout = randn(rng, {10, 5});
  auto f = [&](const Tensor& xv, const Tensor& wv, const Tensor& bv) {
    return affine_forward(gpu(xv), gpu(wv), gpu(bv), variant).out;
  };
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(v, w, b); }, x, dout);
  Tensor dw_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, v, b); }, w, dout);
  Tensor db_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, w, v); }, b, dout);
  Grads g = affine_backward(gpu(dout), affine_forward(gpu(x), gpu(w), gpu(b), variant).cache, variant);
  EXPECT_LT(rel_error(g.dx, dx_num), 1e-8) << variant;
  EXPECT_LT(rel_error(g.dw, dw_num), 1e-8) << variant;
  EXPECT_LT(rel_error(g.db, db_num), 1e-8) << variant;
}

TEST_P(AffineGpu, RejectsBadInputWithClearErrors) {
  CONVLAB_REQUIRE_GPU();
  Tensor x = gpu(Tensor::zeros({4, 6})), w = gpu(Tensor::zeros({5, 3})), b = gpu(Tensor::zeros({3}));
  EXPECT_THROW(affine_forward(x, w, b, GetParam()), Error);
  Tensor w6 = gpu(Tensor::zeros({6, 3}));
  auto fwd = affine_forward(x, w6, b, GetParam());
  EXPECT_ERROR_CONTAINS(affine_backward(gpu(Tensor::zeros({4, 4})), fwd.cache, GetParam()), "dout");
  EXPECT_THROW(affine_forward(x, w6, Tensor::zeros({3}), GetParam()), Error);  // b on the CPU
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(AffineGpu, AffineImpl);

}  // namespace

TEST(AffineCudaRegistry, VariantsAndDefault) {
  const auto v = cuda_variants<AffineImpl>();
  for (const char* name : {"naive", "gemm"}) EXPECT_NE(std::find(v.begin(), v.end(), name), v.end()) << name;
  EXPECT_EQ(OpRegistry<AffineImpl>::default_variant(Device::cuda), "gemm");
}

TEST(AffineCudaRegistry, CpuTensorsAreRejected) {
  Tensor x = Tensor::zeros({2, 3}), w = Tensor::zeros({3, 4}), b = Tensor::zeros({4});
  for (const auto& v : cuda_variants<AffineImpl>())
    EXPECT_THROW(OpRegistry<AffineImpl>::get(Device::cuda, v).forward(x, w, b), Error) << v;
}
