// dropout: the CPU reference of inverted dropout (statistics, test mode,
// seeding, the counter-based mask contract, gradient check and parameter
// errors); every CUDA variant against the CPU reference: the same mask for the
// same seed (exactly), train and test mode, float32 and float64, and the
// notebook's numerical gradient check through each variant.
#include <gtest/gtest.h>

#include <cmath>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/dropout/dropout.h"
#include "host/random/counter_rng.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

class DropoutRef : public ReferenceVariants {};

namespace {

const char* kRef = "reference";

DropoutParam train(double p, uint64_t seed) {
  DropoutParam d;
  d.mode = Mode::train;
  d.p = p;
  d.seed = seed;
  return d;
}

double mean(const Tensor& t) {
  double s = 0.0;
  for (double v : t.to_vector()) s += v;
  return s / double(t.numel());
}

double fraction_nonzero(const Tensor& t) {
  int64_t k = 0;
  for (double v : t.to_vector()) k += v != 0.0;
  return double(k) / double(t.numel());
}

}  // namespace

// As cs231n's dropout check: x = randn(500, 500) + 10, several keep probabilities.
TEST_F(DropoutRef, MeanPreservedAndFractionKeptIsP) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {500, 500});
  for (int64_t i = 0; i < x.numel(); ++i) x.set_item(i, x.item(i) + 10.0);
  for (double p : {0.25, 0.4, 0.7}) {
    Tensor out = dropout_forward(x, train(p, 123), kRef).out;
    // 250000 draws: the standard error of the kept fraction is below 0.001.
    EXPECT_NEAR(fraction_nonzero(out), p, 0.005) << "p = " << p;
    EXPECT_NEAR(mean(out), mean(x), 0.01 * mean(x)) << "p = " << p;
    // Kept elements are scaled by exactly 1/p.
    const auto vo = out.to_vector(), vx = x.to_vector();
    for (std::size_t i = 0; i < vo.size(); i += 997) {
      if (vo[i] != 0.0) {
        EXPECT_DOUBLE_EQ(vo[i], vx[i] / p);
      }
    }
  }
}

TEST_F(DropoutRef, TestModeIsIdentity) {
  NumpyRandom rng(1);
  Tensor x = randn(rng, {4, 5});
  DropoutParam p = train(0.3, 9);
  p.mode = Mode::test;
  auto fwd = dropout_forward(x, p, kRef);
  EXPECT_EQ(fwd.out.to_vector(), x.to_vector());
  Tensor dout = randn(rng, {4, 5});
  EXPECT_EQ(dropout_backward(dout, fwd.cache, kRef).to_vector(), dout.to_vector());
}

TEST_F(DropoutRef, SameSeedSameMaskDifferentSeedDifferentMask) {
  Tensor x = Tensor::full({64, 64}, 1.0, DType::f64);
  const auto a = dropout_forward(x, train(0.5, 42), kRef).out.to_vector();
  const auto b = dropout_forward(x, train(0.5, 42), kRef).out.to_vector();
  const auto c = dropout_forward(x, train(0.5, 43), kRef).out.to_vector();
  EXPECT_EQ(a, b);
  int64_t differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ += a[i] != c[i];
  // Independent masks with p = 0.5 disagree on about half the elements.
  EXPECT_GT(differ, int64_t(a.size()) / 3);
}

TEST_F(DropoutRef, MaskIsCounterUniformBelowP) {
  // The contract the GPU kernels rely on: element i is kept iff counter_uniform01(seed, i) < p.
  Tensor x = Tensor::full({3, 4, 5, 6}, 2.0, DType::f32);
  const DropoutParam p = train(0.6, 2026);
  auto fwd = dropout_forward(x, p, kRef);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const bool keep = double(counter_uniform01(p.seed, uint64_t(i))) < p.p;
    const float scale = float(1.0 / p.p);
    EXPECT_EQ(fwd.out.item(i), keep ? 2.0f * scale : 0.0f) << "element " << i;
    EXPECT_EQ(fwd.cache.mask.item(i), keep ? scale : 0.0f) << "element " << i;
  }
}

TEST_F(DropoutRef, Float32AndFloat64DrawTheSameMask) {
  NumpyRandom rng(2);
  Tensor x = randn(rng, {10, 30});
  Tensor o64 = dropout_forward(x, train(0.5, 7), kRef).out;
  Tensor o32 = dropout_forward(x.to(DType::f32), train(0.5, 7), kRef).out;
  EXPECT_EQ(o32.dtype(), DType::f32);
  for (int64_t i = 0; i < x.numel(); ++i) EXPECT_EQ(o32.item(i) == 0.0, o64.item(i) == 0.0) << "element " << i;
  EXPECT_LT(rel_error(o32, o64), 1e-6);
}

TEST_F(DropoutRef, KeepProbabilityOneKeepsEverything) {
  NumpyRandom rng(4);
  Tensor x = randn(rng, {7, 9});
  EXPECT_EQ(dropout_forward(x, train(1.0, 5), kRef).out.to_vector(), x.to_vector());
}

// As cs231n's dropout_backward check: np.random.seed(231), x (10, 10), p = 0.2, fixed mask seed.
TEST_F(DropoutRef, BackwardNumericGradientWithFixedSeed) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10});
  for (int i = 0; i < x.numel(); ++i) x.set_item(i, x.item(i) + 10.0);
  Tensor dout = randn(rng, {10, 10});
  const DropoutParam p = train(0.2, 123);
  auto fwd = dropout_forward(x, p, kRef);
  Tensor dx = dropout_backward(dout, fwd.cache, kRef);
  Tensor dx_num =
      eval_numerical_gradient_array([&](const Tensor& v) { return dropout_forward(v, p, kRef).out; }, x, dout);
  EXPECT_LT(rel_error(dx, dx_num), 1e-10);  // cs231n: "Error should be around e-10 or less"
  EXPECT_GT(fraction_nonzero(dx), 0.05);    // the check is not vacuous: some gradient flows
}

TEST_F(DropoutRef, BadParamsThrowClearErrors) {
  Tensor x({3, 3}, DType::f64);
  for (double p : {0.0, -0.5, 1.5, std::nan("")})
    EXPECT_ERROR_CONTAINS(dropout_forward(x, train(p, 1), kRef), "keep probability p must satisfy 0 < p <= 1");
  EXPECT_ERROR_CONTAINS(dropout_forward(Tensor({3}, DType::i32), train(0.5, 1), kRef), "float32 or float64");
  auto fwd = dropout_forward(x, train(0.5, 1), kRef);
  EXPECT_ERROR_CONTAINS(dropout_backward(Tensor({3, 4}, DType::f64), fwd.cache, kRef), "dropout_backward: dout");
  EXPECT_ERROR_CONTAINS(dropout_backward(Tensor({3, 3}, DType::f32), fwd.cache, kRef), "cache.mask");
}

// --- The CUDA variants -------------------------------------------------------

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
  CONVLAB_REQUIRE_CUDA_BUILD();
  ASSERT_FALSE(cuda_variants<DropoutImpl>().empty());
  for (const auto& v : cuda_variants<DropoutImpl>())
    EXPECT_THROW(OpRegistry<DropoutImpl>::get(Device::cuda, v).forward(Tensor::zeros({2, 2}), DropoutParam{}), Error)
        << v;
}
