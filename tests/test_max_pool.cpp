// max_pool: the CPU reference against the conv notebook's checks (its own
// inputs and tolerances), overlapping windows, ties, shapes and errors; the
// threaded CPU variant (threaded over planes, argmax kept in the cache)
// against the reference and its gradient against numerical ones; every CUDA
// variant against the CPU reference (float32 and float64, overlapping and
// non-overlapping windows, ties), the notebook's numerical gradient check
// through each variant, and mixing caches.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/max_pool/max_pool.h"
#include "test_util.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

// A case of every part's tests: x shape and pooling parameters.
struct PoolCase {
  Shape x;
  PoolParam p;
};

// --- The CPU reference -------------------------------------------------------

class SeedConvNotebook : public ReferenceVariants {};
class MaxPoolRef : public ReferenceVariants {};

namespace {

const char* kRef = "reference";

Tensor pool_out(const Tensor& x, const PoolParam& p) { return max_pool_forward(x, p, kRef).out; }

// Analytic vs numerical dx of sum(max_pool(x) * dout).
double pool_grad_error(Tensor x, const Tensor& dout, const PoolParam& p) {
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return pool_out(v, p); }, x, dout);
  auto fwd = max_pool_forward(x, p, kRef);
  return rel_error(max_pool_backward(dout, fwd.cache, kRef), dx_num);
}

}  // namespace

// Cell "Max-Pooling: Naive forward".
TEST_F(SeedConvNotebook, MaxPoolForwardNaiveMatchesCorrectOut) {
  Tensor x = linspace(-0.3, 0.4, {2, 3, 4, 4});
  Tensor out = pool_out(x, {2, 2, 2});
  Tensor correct_out = Tensor::from_vector(
      {-0.26315789, -0.24842105, -0.20421053, -0.18947368, -0.14526316, -0.13052632, -0.08631579, -0.07157895,
       -0.02736842, -0.01263158, 0.03157895,  0.04631579,  0.09052632,  0.10526316,  0.14947368,  0.16421053,
       0.20842105,  0.22315789,  0.26736842,  0.28210526,  0.32631579,  0.34105263,  0.38526316,  0.4},
      {2, 3, 2, 2});
  ASSERT_EQ(out.shape(), correct_out.shape());
  const double err = rel_error(out, correct_out);
  std::printf("Testing max_pool_forward_naive function:\ndifference:  %g\n", err);
  EXPECT_LT(err, 1e-7);  // the notebook: "Difference should be on the order of e-8"
}

// Cell "Max-Pooling: Naive backward".
TEST_F(SeedConvNotebook, MaxPoolBackwardNaiveNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {3, 2, 8, 8});
  Tensor dout = randn(rng, {3, 2, 4, 4});
  const double err = pool_grad_error(x, dout, {2, 2, 2});
  std::printf("Testing max_pool_backward_naive function:\ndx error:  %g\n", err);
  EXPECT_LT(err, 1e-11);  // the notebook: "Your error should be on the order of e-12"
}

TEST_F(MaxPoolRef, OverlappingWindowsForwardByHand) {
  // 3x3 plane, 2x2 pool, stride 1: four overlapping windows.
  Tensor x = Tensor::from_vector({1, 9, 2, 3, 4, 5, 8, 6, 7}, {1, 1, 3, 3});
  Tensor out = pool_out(x, {2, 2, 1});
  ASSERT_EQ(out.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(out.to_vector(), (std::vector<double>{9, 9, 8, 7}));
  // The 9 wins two windows: its gradient is the sum of both.
  auto fwd = max_pool_forward(x, {2, 2, 1}, kRef);
  Tensor dx = max_pool_backward(Tensor::from_vector({1, 10, 100, 1000}, {1, 1, 2, 2}), fwd.cache, kRef);
  EXPECT_EQ(dx.to_vector(), (std::vector<double>{0, 11, 0, 0, 0, 0, 100, 0, 1000}));
}

TEST_F(MaxPoolRef, TiesSendGradientToFirstMaxInRowMajorOrder) {
  Tensor x = Tensor::from_vector({0, 5, 5, 5, 1, 1, 2, 2}, {1, 1, 2, 4});
  auto fwd = max_pool_forward(x, {2, 2, 2}, kRef);
  EXPECT_EQ(fwd.out.to_vector(), (std::vector<double>{5, 5}));
  Tensor dx = max_pool_backward(Tensor::from_vector({1, 2}, {1, 1, 1, 2}), fwd.cache, kRef);
  // Window 0 holds {0, 5 / 1, 1}: first max at (0, 1). Window 1 holds {5, 5 / 2, 2}: first max at (0, 2).
  EXPECT_EQ(dx.to_vector(), (std::vector<double>{0, 1, 2, 0, 0, 0, 0, 0}));
}

TEST_F(MaxPoolRef, OutputSizeRoundsDown) {
  Tensor x({1, 1, 7, 6}, DType::f64);
  PoolDims d = pool_dims(x, {3, 3, 2});  // 1 + 4/2 = 3, 1 + 3/2 = 2
  EXPECT_EQ(d.Hout, 3);
  EXPECT_EQ(d.Wout, 2);
  EXPECT_EQ(pool_out(x, {2, 3, 3}).shape(), (Shape{1, 1, 2, 2}));  // 1 + 5/3 = 2, 1 + 3/3 = 2
}

class MaxPoolRefShapes : public ReferenceVariants, public ::testing::WithParamInterface<PoolCase> {};

TEST_P(MaxPoolRefShapes, NumericGradient) {
  const PoolCase& c = GetParam();
  NumpyRandom rng(5);
  Tensor x = randn(rng, c.x);  // continuous values: ties have probability zero
  Tensor dout = randn(rng, pool_out(x, c.p).shape());
  EXPECT_LT(pool_grad_error(x, dout, c.p), 1e-11);
}

INSTANTIATE_TEST_SUITE_P(NotInTheNotebook, MaxPoolRefShapes,
                         ::testing::Values(PoolCase{{1, 1, 4, 4}, {2, 2, 2}},   // N = 1, C = 1
                                           PoolCase{{2, 3, 6, 6}, {2, 2, 1}},   // overlapping, stride 1
                                           PoolCase{{2, 2, 7, 7}, {3, 3, 2}},   // overlapping 3x3, stride 2
                                           PoolCase{{1, 2, 6, 9}, {2, 3, 3}},   // rectangular image and pool
                                           PoolCase{{2, 1, 5, 7}, {2, 2, 2}},   // sizes that do not tile
                                           PoolCase{{1, 2, 4, 5}, {4, 5, 1}}),  // pool = whole plane
                         [](const ::testing::TestParamInfo<PoolCase>& info) {
                           const PoolCase& c = info.param;
                           return "x" + test::shape_tag(c.x) + "_pool" + std::to_string(c.p.pool_height) + "x" +
                                  std::to_string(c.p.pool_width) + "_stride" + std::to_string(c.p.stride);
                         });

TEST_F(MaxPoolRef, Float32AgreesWithFloat64) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {2, 3, 9, 9});
  const PoolParam p{3, 3, 2};
  auto f64 = max_pool_forward(x, p, kRef);
  auto f32 = max_pool_forward(x.to(DType::f32), p, kRef);
  EXPECT_EQ(f32.out.dtype(), DType::f32);
  EXPECT_LT(rel_error(f32.out, f64.out), 1e-6);
  Tensor dout = randn(rng, f64.out.shape());
  EXPECT_LT(
      rel_error(max_pool_backward(dout.to(DType::f32), f32.cache, kRef), max_pool_backward(dout, f64.cache, kRef)),
      1e-6);
}

TEST_F(MaxPoolRef, BadShapesAndParamsThrowClearErrors) {
  Tensor x({2, 3, 4, 4}, DType::f64);
  EXPECT_ERROR_CONTAINS(pool_out(x, {2, 2, 0}), "stride must be positive");
  EXPECT_ERROR_CONTAINS(pool_out(x, {0, 2, 2}), "pool_height and pool_width must be positive");
  EXPECT_ERROR_CONTAINS(pool_out(x, {2, -1, 2}), "pool_height and pool_width must be positive");
  EXPECT_ERROR_CONTAINS(pool_out(x, {5, 2, 2}), "larger than the input");
  EXPECT_ERROR_CONTAINS(pool_out(Tensor({3, 4, 4}, DType::f64), {2, 2, 2}), "x must have shape (N, C, H, W)");
  EXPECT_ERROR_CONTAINS(pool_out(Tensor({2, 3, 4, 4}, DType::i32), {2, 2, 2}), "float32 or float64");
  auto fwd = max_pool_forward(x, {2, 2, 2}, kRef);
  EXPECT_ERROR_CONTAINS(max_pool_backward(Tensor({2, 3, 3, 3}, DType::f64), fwd.cache, kRef),
                        "max_pool_backward: dout");
  EXPECT_ERROR_CONTAINS(max_pool_backward(Tensor({2, 3, 2, 2}, DType::f32), fwd.cache, kRef), "float32");
}

// --- The threaded CPU variant ------------------------------------------------

namespace {

const PoolCase kThreadedCases[] = {
    {{2, 3, 4, 4}, {2, 2, 2}},     // the notebook's check
    {{1, 1, 5, 7}, {2, 2, 2}},     // N = 1, C = 1, odd sizes: last row/column unused
    {{2, 3, 7, 6}, {3, 3, 2}},     // overlapping windows
    {{3, 2, 6, 9}, {3, 2, 1}},     // rectangular window, stride 1
    {{2, 2, 9, 8}, {2, 3, 3}},     // stride 3 (gaps between windows)
    {{2, 2, 4, 5}, {1, 1, 1}},     // 1x1 window: identity
    {{2, 3, 7, 7}, {2, 2, 1}},     // 2x2 overlapping
    {{1, 2, 8, 9}, {2, 2, 3}},     // 2x2 with gaps
    {{20, 3, 32, 32}, {2, 2, 2}},  // the seed's benchmark layer, fewer images
    {{2, 3, 6, 21}, {2, 2, 2}},    // 2x2: a block of 8 windows, then 2 more, odd width
    {{2, 3, 31, 31}, {2, 2, 2}},   // airbench's pools: 8 + 7 windows a row,
    {{2, 3, 15, 15}, {2, 2, 2}},   // 7 (one partial step)
    {{3, 2, 7, 7}, {2, 2, 2}},     // and 3
};

}  // namespace

TEST(CpuFastMaxPool, MatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 5;
    for (const auto& c : kThreadedCases) {
      SCOPED_TRACE("x " + shape_str(c.x) + " pool " + std::to_string(c.p.pool_height) + "x" +
                   std::to_string(c.p.pool_width) + " stride " + std::to_string(c.p.stride));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, c.x, dt);
      auto ref = max_pool_forward(x, c.p, "reference");
      auto fast = max_pool_forward(x, c.p, "threaded");
      ASSERT_EQ(fast.out.shape(), ref.out.shape());
      EXPECT_EQ(norm_rel_error(fast.out, ref.out), 0.0);  // a maximum is exact
      ASSERT_TRUE(fast.cache.argmax.defined());
      EXPECT_EQ(fast.cache.argmax.dtype(), DType::i32);
      EXPECT_EQ(fast.cache.argmax.shape(), ref.out.shape());
      Tensor dout = randn_as(rng, ref.out.shape(), dt);
      Tensor dref = max_pool_backward(dout, ref.cache, "reference");
      EXPECT_FAST_MATCHES(max_pool_backward(dout, fast.cache, "threaded"), dref, dt, "dx");
      // A cache without argmax (from the reference forward) works too.
      EXPECT_FAST_MATCHES(max_pool_backward(dout, ref.cache, "threaded"), dref, dt, "dx from a reference cache");
    }
  });
}

TEST(CpuFastMaxPool, TiesResolveAsTheReference) {
  // Inputs from a few integers, so most windows hold equal maxima.
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 60;
    for (const auto& c : kThreadedCases) {
      NumpyRandom rng(seed++);
      Tensor x = randn(rng, c.x);
      for (int64_t i = 0; i < x.numel(); ++i) x.set_item(i, std::floor(x.item(i) * 1.5));
      x = x.to(dt);
      auto ref = max_pool_forward(x, c.p, "reference");
      auto fast = max_pool_forward(x, c.p, "threaded");
      Tensor dout = randn_as(rng, ref.out.shape(), dt);
      EXPECT_EQ(norm_rel_error(fast.out, ref.out), 0.0);
      EXPECT_FAST_MATCHES(max_pool_backward(dout, fast.cache, "threaded"),
                          max_pool_backward(dout, ref.cache, "reference"), dt, "dx with ties");
    }
  });
}

TEST(CpuFastMaxPool, TiesGoToTheFirstMaximumAndOverlapsAdd) {
  Tensor x = Tensor::full({1, 1, 3, 3}, 1.0, DType::f64);  // every window is a tie
  const PoolParam p{2, 2, 1};
  auto fwd = max_pool_forward(x, p, "threaded");
  const std::vector<double> argmax = fwd.cache.argmax.to_vector();
  EXPECT_EQ(argmax, (std::vector<double>{0, 1, 3, 4}));
  Tensor dout = Tensor::from_vector({1, 2, 3, 4}, {1, 1, 2, 2});
  Tensor dx = max_pool_backward(dout, fwd.cache, "threaded");
  EXPECT_EQ(dx.to_vector(), (std::vector<double>{1, 2, 0, 3, 4, 0, 0, 0, 0}));
}

TEST(CpuFastMaxPool, GradientMatchesNumericalGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {3, 2, 8, 7});
  for (const PoolParam& p : {PoolParam{2, 2, 2}, PoolParam{3, 3, 2}, PoolParam{2, 3, 1}}) {
    auto fwd = max_pool_forward(x, p, "threaded");
    Tensor dout = randn(rng, fwd.out.shape());
    Tensor dx_num =
        eval_numerical_gradient_array([&](const Tensor& v) { return max_pool_forward(v, p, "threaded").out; }, x, dout);
    EXPECT_GRAD_CLOSE(max_pool_backward(dout, fwd.cache, "threaded"), dx_num, "dx");
  }
}

TEST(CpuFastMaxPool, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<MaxPoolImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_THROW(max_pool_forward(Tensor({1, 1, 2, 2}), PoolParam{3, 3, 1}, "threaded"), Error);
  auto fwd = max_pool_forward(Tensor({1, 1, 4, 4}), PoolParam{2, 2, 2}, "threaded");
  EXPECT_THROW(max_pool_backward(Tensor({1, 1, 3, 2}), fwd.cache, "threaded"), Error);
  PoolCache bad = fwd.cache;
  bad.argmax = Tensor::full({1, 1, 2, 2}, 99.0, DType::i32);  // outside the 4x4 plane
  try {
    max_pool_backward(Tensor({1, 1, 2, 2}), bad, "threaded");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("argmax"), std::string::npos) << e.what();
  }
}

// --- The CUDA variants -------------------------------------------------------

namespace {

const PoolCase kGpuCases[] = {
    {{3, 2, 8, 8}, {2, 2, 2}},     // the notebook's shape
    {{1, 1, 7, 5}, {2, 2, 2}},     // N = 1, C = 1, H != W, windows leave a remainder
    {{2, 3, 9, 9}, {3, 3, 2}},     // overlapping windows
    {{2, 2, 10, 11}, {3, 2, 1}},   // heavily overlapping, rectangular window
    {{1, 4, 12, 13}, {2, 3, 3}},   // stride 3 larger than the window height: gaps
    {{2, 3, 6, 6}, {6, 6, 1}},     // one window per plane
    {{5, 33, 17, 19}, {4, 4, 3}},  // many planes, odd sizes, overlap
};

std::string describe(const PoolCase& c, DType dt) {
  std::ostringstream os;
  os << dtype_label(dt) << " x " << shape_str(c.x) << " pool " << c.p.pool_height << "x" << c.p.pool_width << " stride "
     << c.p.stride;
  return os.str();
}

class MaxPoolGpu : public ::testing::TestWithParam<std::string> {};

void check_against_reference(const std::string& variant, const Tensor& x, const PoolParam& p, NumpyRandom& rng,
                             const std::string& what) {
  auto ref_fwd = max_pool_forward(x, p, "reference");
  Tensor dout = randn(rng, ref_fwd.out.shape(), x.dtype());
  Tensor ref_dx = max_pool_backward(dout, ref_fwd.cache, "reference");
  PoisonScope poison;
  auto fwd = max_pool_forward(gpu(x), p, variant);
  ASSERT_EQ(fwd.out.shape(), ref_fwd.out.shape()) << what;
  EXPECT_GPU_MATCHES(fwd.out, ref_fwd.out, x.dtype(), what + " out");
  EXPECT_GPU_MATCHES(max_pool_backward(gpu(dout), fwd.cache, variant), ref_dx, x.dtype(), what + " dx");
}

TEST_P(MaxPoolGpu, MatchesCpuReferenceForwardAndBackward) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(23);
  for (const PoolCase& c : kGpuCases)
    for (DType dt : kBothDtypes) {
      SCOPED_TRACE(describe(c, dt));
      check_against_reference(GetParam(), randn(rng, c.x, dt), c.p, rng, GetParam() + " " + describe(c, dt));
    }
}

// Ties: many equal values in overlapping windows; the gradient must go to the
// first maximum in row-major window order, as in the CPU reference.
TEST_P(MaxPoolGpu, TiesFollowTheFirstMaximumRule) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(29);
  for (DType dt : kBothDtypes) {
    Tensor x({2, 3, 9, 10}, dt);
    for (int64_t i = 0; i < x.numel(); ++i) x.set_item(i, static_cast<double>(rng.randint(0, 3)));  // values 0..2
    check_against_reference(GetParam(), x, {3, 3, 2}, rng, GetParam() + " ties " + dtype_label(dt));
    check_against_reference(GetParam(), x, {2, 2, 1}, rng, GetParam() + " ties stride 1 " + dtype_label(dt));
  }
}

// The pooling notebook's check: x (3,2,8,8), 2x2 windows, stride 2, float64.
TEST_P(MaxPoolGpu, NotebookNumericalGradient) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {3, 2, 8, 8});
  Tensor dout = randn(rng, {3, 2, 4, 4});
  const PoolParam p{2, 2, 2};
  Tensor dx_num =
      eval_numerical_gradient_array([&](const Tensor& v) { return max_pool_forward(gpu(v), p, variant).out; }, x, dout);
  auto fwd = max_pool_forward(gpu(x), p, variant);
  EXPECT_LT(rel_error(max_pool_backward(gpu(dout), fwd.cache, variant), dx_num), 1e-11) << variant;
}

// A backward pass of one variant accepts the cache of any other.
TEST_P(MaxPoolGpu, BackwardAcceptsEveryVariantsCache) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(31);
  Tensor x = randn(rng, {2, 3, 9, 9});
  const PoolParam p{3, 3, 2};
  Tensor dout = randn(rng, {2, 3, 4, 4});
  Tensor ref_dx = max_pool_backward(dout, max_pool_forward(x, p, "reference").cache, "reference");
  for (const auto& other : cuda_variants<MaxPoolImpl>()) {
    auto fwd = max_pool_forward(gpu(x), p, other);
    EXPECT_GPU_MATCHES(max_pool_backward(gpu(dout), fwd.cache, GetParam()), ref_dx, DType::f64,
                       GetParam() + " backward on a cache from " + other);
  }
}

TEST_P(MaxPoolGpu, RejectsBadInputWithClearErrors) {
  CONVLAB_REQUIRE_GPU();
  Tensor x = gpu(Tensor::zeros({2, 3, 4, 4}));
  EXPECT_ERROR_CONTAINS(max_pool_forward(x, {5, 2, 2}, GetParam()), "larger than the input");
  EXPECT_ERROR_CONTAINS(max_pool_forward(x, {2, 2, 0}, GetParam()), "stride");
  EXPECT_ERROR_CONTAINS(max_pool_forward(gpu(Tensor::zeros({2, 3, 4})), {2, 2, 2}, GetParam()), "(N, C, H, W)");
  auto fwd = max_pool_forward(x, {2, 2, 2}, GetParam());
  EXPECT_ERROR_CONTAINS(max_pool_backward(gpu(Tensor::zeros({2, 3, 3, 3})), fwd.cache, GetParam()), "dout");
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(MaxPoolGpu, MaxPoolImpl);

}  // namespace

TEST(MaxPoolCudaRegistry, VariantsAndDefault) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  const auto v = cuda_variants<MaxPoolImpl>();
  for (const char* name : {"naive", "argmax"}) EXPECT_NE(std::find(v.begin(), v.end(), name), v.end()) << name;
  EXPECT_EQ(OpRegistry<MaxPoolImpl>::default_variant(Device::cuda), "argmax");
}

TEST(MaxPoolCudaRegistry, CpuTensorsAreRejected) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  Tensor x = Tensor::zeros({1, 1, 4, 4});
  for (const auto& v : cuda_variants<MaxPoolImpl>())
    EXPECT_THROW(OpRegistry<MaxPoolImpl>::get(Device::cuda, v).forward(x, PoolParam{}), Error) << v;
}
