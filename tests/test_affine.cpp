// affine: the CPU reference (cs231n's affine forward check, numeric gradient
// checks, float32 vs float64 and shape errors); the threaded CPU variant (BLAS
// GEMM) against the reference and its gradients against numerical ones; every
// CUDA variant against the CPU reference (float32, float64, awkward shapes) and
// the notebook's numerical gradient check through each.
#include <gtest/gtest.h>

#include <algorithm>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/affine/affine.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

namespace {
const char* kRef = "reference";
}

class AffineRef : public ReferenceVariants {};

// cs231n's affine_forward check: linspace inputs, x (2, 4, 5, 6) flattened to 120 features.
TEST_F(AffineRef, ForwardMatchesCs231nCorrectOut) {
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
TEST_F(AffineRef, BackwardNumericGradient) {
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

TEST_F(AffineRef, ParamsOnlyBackwardGivesTheSameDwDbAndNoDx) {
  NumpyRandom rng(7);
  Tensor x = randn(rng, {4, 3, 2}), w = randn(rng, {6, 5}), b = randn(rng, {5}), dout = randn(rng, {4, 5});
  auto cache = affine_forward(x, w, b, kRef).cache;
  Grads full = affine_backward(dout, cache, kRef), params = affine_backward_params(dout, cache, kRef);
  EXPECT_FALSE(params.dx.defined());
  EXPECT_EQ(params.dw.to_vector(), full.dw.to_vector());
  EXPECT_EQ(params.db.to_vector(), full.db.to_vector());
}

TEST_F(AffineRef, Float32AgreesWithFloat64AndN1) {
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

TEST_F(AffineRef, BadShapesThrowClearErrors) {
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

// --- The threaded CPU variant ------------------------------------------------

TEST(CpuFastAffine, MatchesReference) {
  const std::pair<Shape, int64_t> cases[] = {
      {{2, 4, 5, 6}, 3},        // the notebook's affine_forward check
      {{1, 1}, 1},              // N = 1, D = 1, M = 1
      {{7, 3, 2}, 5},           // 3-d input
      {{50, 32, 16, 16}, 100},  // ThreeLayerConvNet's hidden layer
      {{33, 17}, 65},           // odd sizes
  };
  for_each_dtype_and_threads([&](DType dt) {
    uint32_t seed = 3;
    for (const auto& [xs, M] : cases) {
      SCOPED_TRACE("x " + shape_str(xs) + ", M " + std::to_string(M));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, xs, dt);
      const int64_t D = x.numel() / xs[0];
      Tensor w = randn_as(rng, {D, M}, dt);
      Tensor b = randn_as(rng, {M}, dt);
      expect_fast_layer_matches(
          rng, dt, x.shape(), [&](const std::string& v) { return affine_forward(x, w, b, v); }, affine_backward,
          affine_backward_params);
    }
  });
}

TEST(CpuFastAffine, GradientsMatchNumericalGradients) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 2, 3}), w = randn(rng, {6, 5}), b = randn(rng, {5});
  Tensor dout = randn(rng, {10, 5});
  auto fwd = affine_forward(x, w, b, "threaded");
  Grads g = affine_backward(dout, fwd.cache, "threaded");
  EXPECT_GRAD_CLOSE(
      g.dx,
      eval_numerical_gradient_array([&](const Tensor& v) { return affine_forward(v, w, b, "threaded").out; }, x, dout),
      "dx");
  EXPECT_GRAD_CLOSE(
      g.dw,
      eval_numerical_gradient_array([&](const Tensor& v) { return affine_forward(x, v, b, "threaded").out; }, w, dout),
      "dw");
  EXPECT_GRAD_CLOSE(
      g.db,
      eval_numerical_gradient_array([&](const Tensor& v) { return affine_forward(x, w, v, "threaded").out; }, b, dout),
      "db");
}

TEST(CpuFastAffine, IsTheCpuDefaultAndRejectsBadShapes) {
  EXPECT_EQ(OpRegistry<AffineImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_THROW(affine_forward(Tensor({2, 3}), Tensor({4, 5}), Tensor({5}), "threaded"), Error);
  EXPECT_THROW(affine_forward(Tensor({2, 3}), Tensor({3, 5}), Tensor({4}), "threaded"), Error);
  auto fwd = affine_forward(Tensor({2, 3}), Tensor({3, 5}), Tensor({5}), "threaded");
  EXPECT_THROW(affine_backward(Tensor({2, 4}), fwd.cache, "threaded"), Error);
}

// --- The CUDA variants -------------------------------------------------------

namespace {

struct AffineCase {
  Shape x;
  int64_t M;
};

const AffineCase kCases[] = {
    {{10, 2, 3}, 5},      // the notebook's shapes (x reshaped to (N, D))
    {{1, 7}, 1},          // N = 1, M = 1
    {{33, 3, 4, 5}, 17},  // rank-4 input, sizes off any tile
    {{64, 300}, 129},     // larger, M not a multiple of 32
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

// The reduced-precision variants (cuBLAS on tensor cores, float32 tensors):
// within their precision's bound of the float64 reference. (How cuBLAS
// rounds its operands is not documented, so unlike conv's kernels there is
// no bit-level check on pre-rounded operands.)
class AffineGpuReduced : public ::testing::TestWithParam<std::string> {};

TEST_P(AffineGpuReduced, MatchesCpuReferenceAtItsPrecision) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  const double bound = reduced_precision_bound(OpRegistry<AffineImpl>::precision(Device::cuda, variant));
  NumpyRandom rng(43);
  for (const AffineCase& c : kCases) {
    const std::string what = variant + " x " + shape_str(c.x) + " M " + std::to_string(c.M);
    const int64_t D = shape_numel(c.x) / c.x[0];
    Tensor x = randn(rng, c.x, DType::f32), w = randn(rng, {D, c.M}, DType::f32), b = randn(rng, {c.M}, DType::f32);
    Tensor dout = randn(rng, {c.x[0], c.M}, DType::f32);
    PoisonScope poison;
    auto fwd = affine_forward(gpu(x), gpu(w), gpu(b), variant);
    Grads g = affine_backward(gpu(dout), fwd.cache, variant);
    auto f64 = [](const Tensor& t) { return t.to(DType::f64); };
    auto ref = affine_forward(f64(x), f64(w), f64(b), "reference");
    Grads ref_g = affine_backward(f64(dout), ref.cache, "reference");
    EXPECT_LT(norm_rel_error(fwd.out, ref.out), bound) << what << " out";
    EXPECT_LT(norm_rel_error(g.dx, ref_g.dx), bound) << what << " dx";
    EXPECT_LT(norm_rel_error(g.dw, ref_g.dw), bound) << what << " dw";
    EXPECT_LT(norm_rel_error(g.db, ref_g.db), 1e-5) << what << " db (a float32 sum)";
  }
  Tensor x64 = gpu(Tensor::zeros({2, 3}, DType::f64)), w64 = gpu(Tensor::zeros({3, 4}, DType::f64));
  EXPECT_ERROR_CONTAINS(affine_forward(x64, w64, gpu(Tensor::zeros({4}, DType::f64)), variant),
                        "takes float32 tensors");
}

#if CONVLAB_HAVE_CUDA
INSTANTIATE_TEST_SUITE_P(Cuda, AffineGpuReduced, ::testing::ValuesIn(cuda_reduced_precision_variants<AffineImpl>()),
                         variant_test_name);
#else
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AffineGpuReduced);
#endif

}  // namespace

TEST(AffineCudaRegistry, VariantsAndDefault) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  const auto v = cuda_variants<AffineImpl>();
  for (const char* name : {"naive", "gemm"}) EXPECT_NE(std::find(v.begin(), v.end(), name), v.end()) << name;
  EXPECT_EQ(OpRegistry<AffineImpl>::default_variant(Device::cuda), "gemm");
}

TEST(AffineCudaRegistry, CpuTensorsAreRejected) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  Tensor x = Tensor::zeros({2, 3}), w = Tensor::zeros({3, 4}), b = Tensor::zeros({4});
  for (const auto& v : OpRegistry<AffineImpl>::variants(Device::cuda))
    EXPECT_THROW(OpRegistry<AffineImpl>::get(Device::cuda, v).forward(x, w, b), Error) << v;
}
