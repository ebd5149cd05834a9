// conv: the CPU reference against the conv notebook's checks (its own inputs
// and tolerances), then shapes and parameters the notebook does not use; the
// threaded CPU variant (im2col + GEMM, and the direct kernels) against the
// reference and its gradients against numerical ones; every CUDA variant
// against the CPU reference (forward, dx, dw, db; float32 and float64; awkward
// shapes) and the notebook's numerical gradient check through each in float64.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/affine/affine.h"
#include "host/ops/conv/conv.h"
#include "host/ops/conv/conv_avx512.h"
#include "host/ops/conv/conv_direct.h"
#include "host/ops/conv/conv_winograd.h"
#include "test_util.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

// A case of the reference's and the CUDA variants' tests: x and w shapes, stride and pad.
struct ConvCase {
  Shape x, w;
  ConvParam p;
};

// --- The CPU reference -------------------------------------------------------

class SeedConvNotebook : public ReferenceVariants {};
class ConvRef : public ReferenceVariants {};
class ReferenceTests : public ReferenceVariants {};

namespace {

const char* kRef = "reference";

Tensor conv_out(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParam& p) {
  return conv_forward(x, w, b, p, kRef).out;
}

struct ConvErrors {
  double dx, dw, db;
};

// Analytic vs numerical gradients of sum(conv(x, w, b) * dout), all float64.
ConvErrors conv_grad_errors(Tensor x, Tensor w, Tensor b, const Tensor& dout, const ConvParam& p) {
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return conv_out(v, w, b, p); }, x, dout);
  Tensor dw_num = eval_numerical_gradient_array([&](const Tensor& v) { return conv_out(x, v, b, p); }, w, dout);
  Tensor db_num = eval_numerical_gradient_array([&](const Tensor& v) { return conv_out(x, w, v, p); }, b, dout);
  auto fwd = conv_forward(x, w, b, p, kRef);
  Grads g = conv_backward(dout, fwd.cache, kRef);
  return {rel_error(g.dx, dx_num), rel_error(g.dw, dw_num), rel_error(g.db, db_num)};
}

}  // namespace

// Cell "Convolution: Naive forward pass".
TEST_F(SeedConvNotebook, ConvForwardNaiveMatchesCorrectOut) {
  Tensor x = linspace(-0.1, 0.5, {2, 3, 4, 4});
  Tensor w = linspace(-0.2, 0.3, {3, 3, 4, 4});
  Tensor b = linspace(-0.1, 0.2, {3});
  Tensor out = conv_out(x, w, b, {2, 1});
  Tensor correct_out = Tensor::from_vector(
      {-0.08759809, -0.10987781, -0.18387192, -0.2109216, 0.21027089,  0.21661097,  0.22847626,  0.23004637,
       0.50813986,  0.54309974,  0.64082444,  0.67101435, -0.98053589, -1.03143541, -1.19128892, -1.24695841,
       0.69108355,  0.66880383,  0.59480972,  0.56776003, 2.36270298,  2.36904306,  2.38090835,  2.38247847},
      {2, 3, 2, 2});
  ASSERT_EQ(out.shape(), correct_out.shape());
  const double err = rel_error(out, correct_out);
  std::printf("Testing conv_forward_naive\ndifference:  %g\n", err);
  EXPECT_LT(err, 1e-7);  // the notebook: "difference should be around e-8"
}

// Cell "Convolution: Naive backward pass".
TEST_F(SeedConvNotebook, ConvBackwardNaiveNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {4, 3, 5, 5});
  Tensor w = randn(rng, {2, 3, 3, 3});
  Tensor b = randn(rng, {2});
  Tensor dout = randn(rng, {4, 2, 5, 5});
  ConvErrors e = conv_grad_errors(x, w, b, dout, {1, 1});
  std::printf("Testing conv_backward_naive function\ndx error:  %g\ndw error:  %g\ndb error:  %g\n", e.dx, e.dw, e.db);
  // The notebook: "Your errors should be around e-8 or less" (it printed 1.2e-8, 2.2e-10, 3.4e-11).
  EXPECT_LT(e.dx, 1e-7);
  EXPECT_LT(e.dw, 1e-7);
  EXPECT_LT(e.db, 1e-7);
}

TEST_F(ConvRef, CrossCorrelationByHand) {
  // x = [[1 2 3] [4 5 6] [7 8 9]], w = [[1 2] [3 4]], b = 10.
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  Tensor w = Tensor::from_vector({1, 2, 3, 4}, {1, 1, 2, 2});
  Tensor b = Tensor::from_vector({10}, {1});
  Tensor out = conv_out(x, w, b, {1, 0});
  ASSERT_EQ(out.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(out.to_vector(), (std::vector<double>{47, 57, 77, 87}));
  // pad 1, stride 2: windows start at -1 and 1 in each direction.
  Tensor padded = conv_out(x, w, b, {2, 1});
  ASSERT_EQ(padded.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(padded.to_vector(), (std::vector<double>{10 + 4 * 1, 10 + 3 * 2 + 4 * 3, 10 + 2 * 4 + 4 * 7,
                                                     10 + 1 * 5 + 2 * 6 + 3 * 8 + 4 * 9}));
}

TEST_F(ConvRef, OutputSizeRoundsDown) {
  Tensor x({1, 1, 7, 6}, DType::f64), w({2, 1, 3, 2}, DType::f64), b({2}, DType::f64);
  // stride 2: H' = 1 + (7 - 3) / 2 = 3, W' = 1 + (6 - 2) / 2 = 3
  ConvDims d = conv_dims(x, w, b, {2, 0});
  EXPECT_EQ(d.Hout, 3);
  EXPECT_EQ(d.Wout, 3);
  d = conv_dims(x, w, b, {3, 0});  // H' = 1 + 4/3 = 2, W' = 1 + 4/3 = 2 (rounded down)
  EXPECT_EQ(d.Hout, 2);
  EXPECT_EQ(d.Wout, 2);
  d = conv_dims(x, w, b, {3, 1});  // H' = 1 + 6/3 = 3, W' = 1 + 6/3 = 3
  EXPECT_EQ(d.Hout, 3);
  EXPECT_EQ(d.Wout, 3);
  EXPECT_EQ(conv_out(x, w, b, {3, 1}).shape(), (Shape{1, 2, 3, 3}));
}

class ConvRefShapes : public ReferenceVariants, public ::testing::WithParamInterface<ConvCase> {};

TEST_P(ConvRefShapes, NumericGradient) {
  const ConvCase& c = GetParam();
  NumpyRandom rng(7);
  Tensor x = randn(rng, c.x), w = randn(rng, c.w), b = randn(rng, {c.w[0]});
  Tensor out = conv_out(x, w, b, c.p);
  Tensor dout = randn(rng, out.shape());
  ConvErrors e = conv_grad_errors(x, w, b, dout, c.p);
  EXPECT_LT(e.dx, 1e-7);
  EXPECT_LT(e.dw, 1e-7);
  EXPECT_LT(e.db, 1e-7);
}

INSTANTIATE_TEST_SUITE_P(
    NotInTheNotebook, ConvRefShapes,
    ::testing::Values(ConvCase{{1, 1, 5, 5}, {1, 1, 3, 3}, {1, 0}},   // N = 1, C = 1
                      ConvCase{{2, 2, 7, 5}, {3, 2, 3, 2}, {1, 1}},   // rectangular image and filter
                      ConvCase{{2, 3, 7, 6}, {2, 3, 3, 3}, {2, 0}},   // stride 2, no pad (6 -> floor)
                      ConvCase{{2, 3, 7, 6}, {2, 3, 3, 3}, {2, 1}},   // stride 2, pad 1
                      ConvCase{{1, 2, 8, 9}, {2, 2, 2, 3}, {3, 0}},   // stride 3, no pad
                      ConvCase{{1, 2, 8, 9}, {2, 2, 4, 3}, {3, 2}},   // stride 3, pad 2
                      ConvCase{{3, 1, 4, 4}, {1, 1, 4, 4}, {1, 0}},   // filter = image: 1x1 output
                      ConvCase{{2, 2, 3, 3}, {2, 2, 5, 5}, {1, 1}}),  // filter larger than image, fits padding
    [](const ::testing::TestParamInfo<ConvCase>& info) {
      const ConvCase& c = info.param;
      return "x" + test::shape_tag(c.x) + "_w" + test::shape_tag(c.w) + "_stride" + std::to_string(c.p.stride) +
             "_pad" + std::to_string(c.p.pad);
    });

TEST_F(ConvRef, Float32AgreesWithFloat64) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {2, 3, 9, 7}), w = randn(rng, {4, 3, 3, 3}), b = randn(rng, {4});
  const ConvParam p{2, 1};
  auto f64 = conv_forward(x, w, b, p, kRef);
  auto f32 = conv_forward(x.to(DType::f32), w.to(DType::f32), b.to(DType::f32), p, kRef);
  EXPECT_EQ(f32.out.dtype(), DType::f32);
  Tensor dout = randn(rng, f64.out.shape());
  Grads g64 = conv_backward(dout, f64.cache, kRef);
  Grads g32 = conv_backward(dout.to(DType::f32), f32.cache, kRef);
  auto max_abs_diff = [](const Tensor& a, const Tensor& b) {
    const auto va = a.to_vector(), vb = b.to_vector();
    double m = 0.0;
    for (std::size_t i = 0; i < va.size(); ++i) m = std::max(m, std::abs(va[i] - vb[i]));
    return m;
  };
  EXPECT_LT(max_abs_diff(f32.out, f64.out), 1e-5);
  EXPECT_LT(max_abs_diff(g32.dx, g64.dx), 1e-5);
  EXPECT_LT(max_abs_diff(g32.dw, g64.dw), 1e-4);
  EXPECT_LT(max_abs_diff(g32.db, g64.db), 1e-4);
}

TEST_F(ConvRef, ParamsOnlyBackwardGivesTheSameDwDbAndNoDx) {
  NumpyRandom rng(5);
  Tensor x = randn(rng, {2, 3, 6, 5}), w = randn(rng, {4, 3, 3, 3}), b = randn(rng, {4});
  auto fwd = conv_forward(x, w, b, {1, 1}, kRef);
  Tensor dout = randn(rng, fwd.out.shape());
  Grads full = conv_backward(dout, fwd.cache, kRef), params = conv_backward_params(dout, fwd.cache, kRef);
  EXPECT_FALSE(params.dx.defined());
  EXPECT_EQ(params.dw.to_vector(), full.dw.to_vector());
  EXPECT_EQ(params.db.to_vector(), full.db.to_vector());
}

TEST_F(ConvRef, BadShapesAndParamsThrowClearErrors) {
  Tensor x({2, 3, 5, 5}, DType::f64), w({4, 3, 3, 3}, DType::f64), b({4}, DType::f64);
  EXPECT_NO_THROW(conv_out(x, w, b, {1, 1}));
  EXPECT_ERROR_CONTAINS(conv_out(x, w, b, {0, 1}), "stride must be positive");
  EXPECT_ERROR_CONTAINS(conv_out(x, w, b, {-2, 1}), "stride must be positive");
  EXPECT_ERROR_CONTAINS(conv_out(x, w, b, {1, -1}), "pad must be non-negative");
  Tensor big({4, 3, 8, 3}, DType::f64);
  EXPECT_ERROR_CONTAINS(conv_out(x, big, b, {1, 1}), "larger than the padded input");
  EXPECT_NO_THROW(conv_out(x, Tensor({4, 3, 7, 3}, DType::f64), b, {1, 1}));  // 7 <= 5 + 2
  EXPECT_ERROR_CONTAINS(conv_out(x, Tensor({4, 2, 3, 3}, DType::f64), b, {1, 1}), "channel mismatch");
  EXPECT_ERROR_CONTAINS(conv_out(x, w, Tensor({3}, DType::f64), {1, 1}), "b must have shape (4,)");
  EXPECT_ERROR_CONTAINS(conv_out(x, w, Tensor({4, 1}, DType::f64), {1, 1}), "b must have shape (4,)");
  EXPECT_ERROR_CONTAINS(conv_out(Tensor({3, 5, 5}, DType::f64), w, b, {1, 1}), "x must have shape (N, C, H, W)");
  EXPECT_ERROR_CONTAINS(conv_out(x, Tensor({4, 27}, DType::f64), b, {1, 1}), "w must have shape (F, C, HH, WW)");
  EXPECT_ERROR_CONTAINS(conv_out(x, w.to(DType::f32), b, {1, 1}), "argument w is float32");
  EXPECT_ERROR_CONTAINS(conv_out(x.to(DType::i32), w, b, {1, 1}), "float32 or float64");
  EXPECT_ERROR_CONTAINS(conv_out(Tensor({2, 3, 0, 5}, DType::f64), w, b, {1, 1}), "empty dimension");
  auto fwd = conv_forward(x, w, b, {1, 1}, kRef);
  EXPECT_ERROR_CONTAINS(conv_backward(Tensor({2, 4, 4, 4}, DType::f64), fwd.cache, kRef), "conv_backward: dout");
}

TEST_F(ConvRef, RegisteredAsCpuReference) {
  const auto v = OpRegistry<ConvImpl>::variants(Device::cpu);
  EXPECT_NE(std::find(v.begin(), v.end(), "reference"), v.end());
}

// The reference tests run the ground truth: in the ReferenceVariants fixture the
// default CPU variant resolves to "reference" although "threaded" is the default.
TEST_F(ReferenceTests, UnnamedVariantResolvesToReference) {
  EXPECT_EQ(OpRegistry<ConvImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_EQ(OpRegistry<ConvImpl>::get(Device::cpu).forward, &ref::conv_forward);
  EXPECT_NE(OpRegistry<ConvImpl>::get(Device::cpu, "threaded").forward, &ref::conv_forward);
}

// --- The threaded CPU variant ------------------------------------------------

namespace {

struct ConvSizes {
  int64_t N, C, H, W, F, HH, WW;
  int stride, pad;
};

const ConvSizes kThreadedCases[] = {
    {2, 3, 4, 4, 3, 4, 4, 2, 1},     // the notebook's conv_forward_naive check
    {1, 1, 5, 7, 1, 3, 3, 1, 0},     // N = 1, C = 1, H != W, no padding
    {3, 2, 7, 5, 4, 3, 2, 2, 2},     // rectangular filter, stride 2, pad 2
    {2, 3, 9, 8, 2, 3, 3, 3, 1},     // stride 3, windows that miss the last rows
    {2, 4, 6, 6, 5, 1, 1, 1, 0},     // 1x1 filter
    {1, 2, 3, 3, 2, 5, 5, 1, 2},     // filter larger than the input, covered by padding
    {4, 3, 31, 31, 25, 3, 3, 2, 1},  // the seed's benchmark layer, fewer images
    {2, 3, 8, 8, 4, 7, 7, 1, 3},     // ThreeLayerConvNet's 7x7 pad 3
};

void check_case(const ConvSizes& c, DType dt, uint32_t seed) {
  SCOPED_TRACE("x (" + std::to_string(c.N) + "," + std::to_string(c.C) + "," + std::to_string(c.H) + "," +
               std::to_string(c.W) + ") w (" + std::to_string(c.F) + "," + std::to_string(c.C) + "," +
               std::to_string(c.HH) + "," + std::to_string(c.WW) + ") stride " + std::to_string(c.stride) + " pad " +
               std::to_string(c.pad));
  NumpyRandom rng(seed);
  Tensor x = randn_as(rng, {c.N, c.C, c.H, c.W}, dt);
  Tensor w = randn_as(rng, {c.F, c.C, c.HH, c.WW}, dt);
  Tensor b = randn_as(rng, {c.F}, dt);
  const ConvParam p{c.stride, c.pad};
  expect_fast_layer_matches(
      rng, dt, x.shape(), [&](const std::string& v) { return conv_forward(x, w, b, p, v); }, conv_backward,
      conv_backward_params);
}

// Every case in float32 at 1 and 3 threads, outputs poisoned, seeds from first_seed on.
template <std::size_t N>
void check_f32_cases(const ConvSizes (&cases)[N], uint32_t first_seed) {
  for (int threads : {1, 3}) {
    set_num_threads(threads);
    PoisonScope poison;
    uint32_t seed = first_seed;
    for (const auto& c : cases) check_case(c, DType::f32, seed++);
  }
  set_num_threads(0);
}

}  // namespace

TEST(CpuFastConv, MatchesReferenceOnAwkwardShapes) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 1;
    for (const auto& c : kThreadedCases) check_case(c, dt, seed++);
  });
}

TEST(CpuFastConv, DirectKernelsMatchReference) {
  if (!threaded::direct_conv_supported())
    GTEST_SKIP() << "this CPU has no AVX2/FMA: the direct conv kernels are not used";
  const ConvSizes cases[] = {
      {2, 3, 32, 32, 32, 7, 7, 1, 3},  // ThreeLayerConvNet's layer: 5 tiles of 6 filters + 2, 4 whole chunks
      {3, 5, 13, 11, 13, 3, 3, 1, 1},  // 6 + 6 + 1 filters, rows of 11 (one whole chunk + 3 columns)
      {2, 2, 9, 20, 7, 5, 3, 1, 0},    // 5x3 filter, no padding, Wout 18: 2 + 1 chunks, last of 2
      {1, 4, 6, 6, 6, 1, 1, 1, 0},     // 1x1 filter
      {2, 3, 4, 9, 10, 3, 5, 1, 2},    // Wout 9: a chunk of 1 column; taps per row 5 = 3 + 2
      {1, 1, 3, 3, 4, 5, 5, 1, 2},     // filter as large as the padded input
      {2, 2, 12, 12, 5, 3, 9, 1, 4},   // 9 taps wide: dw by lane sums instead of taps in lanes
      {3, 3, 8, 8, 9, 7, 7, 1, 3},     // 7x7 with filter rows 3 + 2 + 2 and 4 + 4 + 1 filters
      {1, 2, 5, 5, 3, 3, 3, 1, 3},     // pad 3 > HH - 1: dx by GEMM + col2im, not the flipped-filter conv
      {2, 8, 8, 8, 13, 3, 3, 1, 1},    // rows of 8 columns: forward tiles of two rows
      {2, 3, 5, 7, 7, 3, 3, 1, 1},     // rows of 7 (masked), 5 of them: two-row tiles and a last single row
  };
  ASSERT_TRUE(threaded::direct_conv_usable(conv_dims(Tensor({1, 1, 3, 3}), Tensor({1, 1, 3, 3}), Tensor({1}), {1, 1})));
  const bool avx512 = threaded::set_avx512_conv_enabled(false);  // the AVX2 kernels, even where AVX-512 would run
  check_f32_cases(cases, 40);
  threaded::set_avx512_conv_enabled(avx512);
}

TEST(CpuFastConv, Avx512KernelsMatchReference) {
  if (!threaded::avx512_conv_usable(conv_dims(Tensor({1, 1, 3, 3}), Tensor({16, 1, 3, 3}), Tensor({16}), {1, 1})))
    GTEST_SKIP() << "this CPU has no AVX-512F: the AVX-512 conv kernels are not used";
  const ConvSizes cases[] = {
      {3, 16, 7, 7, 64, 3, 3, 1, 1},   // chunks of 2 images (49 positions each) and a last one of 1; dx by AVX-512
      {5, 32, 3, 3, 48, 3, 3, 1, 1},   // 3x3 images, all 5 in one chunk (45 positions: 7 tiles of 6 + 3); 48 filters
      {2, 24, 9, 8, 32, 3, 3, 1, 1},   // C = 24: dx by AVX-512 with 8 zero filters of padding; H != W
      {3, 8, 7, 7, 24, 3, 3, 1, 1},    // F = 24 padded to 32 (K = 72 taps); C = 8: dx by the other kernels
      {2, 40, 5, 5, 40, 3, 3, 1, 1},   // F = C = 40, padded to 48 forward, in dw and in dx
      {2, 3, 8, 8, 24, 2, 2, 1, 0},    // the whitening conv: 24 filters on 12 taps, by the AVX2 kernels
      {1, 16, 4, 19, 16, 3, 3, 1, 1},  // rows of 19 floats: copied as 16 + a masked 3
      {2, 16, 3, 16, 32, 3, 3, 1, 2},  // rows of exactly 16 floats, two columns of padding
      {2, 3, 8, 8, 16, 2, 2, 1, 0},    // the whitening conv's shape: 2x2, no padding
      {1, 16, 5, 6, 80, 3, 3, 1, 2},   // pad 2 = HH - 1 (dx with padding 0); 80 = 64 + 16 filters
      {2, 16, 6, 6, 16, 5, 3, 1, 1},   // 5x3 filter: dx by the other kernels
      {4, 16, 2, 2, 16, 3, 3, 1, 1},   // 2x2 images, more padding than pixels
      {2, 16, 4, 4, 32, 3, 3, 1, 3},   // pad 3 > HH - 1: dx by the other kernels
  };
  // Which shapes the padding admits (the rest go to the AVX2 kernels).
  const auto dims = [](int64_t C, int64_t F, int64_t k) {
    return conv_dims(Tensor({1, C, 7, 7}), Tensor({F, C, k, k}), Tensor({F}), {1, 1});
  };
  EXPECT_TRUE(threaded::avx512_conv_usable(dims(8, 24, 3)));
  EXPECT_TRUE(threaded::avx512_conv_dx_usable(dims(24, 32, 3)));
  EXPECT_FALSE(threaded::avx512_conv_usable(dims(3, 24, 2)));  // 12 taps
  EXPECT_FALSE(threaded::avx512_conv_usable(dims(16, 8, 3)));  // 8 -> 16 would double the work
  EXPECT_FALSE(threaded::avx512_conv_dx_usable(dims(8, 24, 3)));
  const bool winograd = threaded::set_winograd_conv_enabled(false);  // the direct kernels, even for 3x3
  check_f32_cases(cases, 60);
  threaded::set_winograd_conv_enabled(winograd);
}

TEST(CpuFastConv, WinogradKernelsMatchReference) {
  const auto dims = [](int64_t C, int64_t F, int64_t k, int stride = 1, int pad = 1) {
    return conv_dims(Tensor({1, C, 7, 7}), Tensor({F, C, k, k}), Tensor({F}), {stride, pad});
  };
  if (!threaded::winograd_conv_usable(dims(16, 16, 3)))
    GTEST_SKIP() << "this CPU has no AVX-512F: the Winograd conv kernels are not used";
  const ConvSizes cases[] = {
      {3, 16, 8, 8, 64, 3, 3, 1, 1},    // 16 tiles an image, the 3 images in one chunk
      {70, 16, 4, 4, 16, 3, 3, 1, 1},   // 4 tiles an image: chunks of 16 images, the last of 6
      {2, 16, 7, 5, 32, 3, 3, 1, 1},    // odd output sizes: tiles past the last row and column
      {2, 16, 6, 9, 16, 3, 3, 1, 0},    // no padding: 4 x 7 outputs; dx with padding 2
      {1, 16, 5, 6, 80, 3, 3, 1, 2},    // padding 2: 7 x 8 outputs; dx with padding 0; 80 = 64 + 16 filters
      {2, 24, 9, 8, 32, 3, 3, 1, 1},    // C = 24: channels padded to 32; dx with 8 zero filters
      {3, 16, 7, 7, 24, 3, 3, 1, 1},    // F = 24 padded to 32
      {2, 40, 5, 5, 40, 3, 3, 1, 1},    // F = C = 40, padded to 48 both ways
      {4, 16, 2, 2, 16, 3, 3, 1, 1},    // 2x2 images: one tile
      {3, 16, 2, 3, 16, 3, 3, 1, 1},    // 2x3 images: one row of two tiles, the second half outside
      {2, 256, 4, 4, 256, 3, 3, 1, 1},  // 256 channels: chunks capped by the L2 budget
  };
  EXPECT_TRUE(threaded::winograd_conv_dx_usable(dims(16, 24, 3)));
  EXPECT_TRUE(threaded::winograd_conv_usable(dims(24, 16, 3, 1, 2)));
  EXPECT_TRUE(threaded::winograd_conv_dw_usable(dims(16, 64, 3)));
  EXPECT_FALSE(threaded::winograd_conv_dw_usable(dims(16, 32, 3)));     // dw by the direct kernels
  EXPECT_FALSE(threaded::winograd_conv_dx_usable(dims(24, 8, 3)));      // 8 filters: no AVX-512 path at all
  EXPECT_FALSE(threaded::winograd_conv_usable(dims(8, 32, 3)));         // 8 channels: the direct kernels
  EXPECT_FALSE(threaded::winograd_conv_usable(dims(16, 16, 5, 1, 2)));  // 5x5
  EXPECT_FALSE(threaded::winograd_conv_usable(dims(16, 16, 3, 2, 1)));  // stride 2
  EXPECT_FALSE(threaded::winograd_conv_usable(dims(16, 16, 3, 1, 3)));  // padding 3
  const auto image = [](int64_t H, int64_t W) {
    return conv_dims(Tensor({1, 16, H, W}), Tensor({16, 16, 3, 3}), Tensor({16}), {1, 1});
  };
  EXPECT_TRUE(threaded::winograd_conv_usable(image(4, 4)));   // 4 tiles for 16 outputs
  EXPECT_FALSE(threaded::winograd_conv_usable(image(3, 3)));  // 4 tiles for 9 outputs: the direct kernels
  EXPECT_FALSE(threaded::winograd_conv_usable(image(1, 1)));
  check_f32_cases(cases, 80);
}

TEST(CpuFastConv, MatchesReferenceForEveryTiling) {
  // The im2col + GEMM path (the direct kernels off).
  // Bound 1: tiles of 16 output positions that start and end inside output
  // rows, dx by (image, channel) tasks. 2000: tiles of one or a few whole
  // images with a shorter last tile. The default: the whole batch in a tile.
  const bool direct = threaded::set_direct_conv_enabled(false);
  const bool avx512 = threaded::set_avx512_conv_enabled(false);
  for (int64_t bound : {int64_t(1), int64_t(2000)}) {
    SCOPED_TRACE("tile bound " + std::to_string(bound));
    const int64_t previous = threaded::set_conv_workspace_elements(bound);
    for_each_dtype_and_threads([](DType dt) {
      check_case({3, 2, 7, 5, 4, 3, 2, 2, 2}, dt, 11);
      check_case({5, 3, 8, 8, 4, 7, 7, 1, 3}, dt, 12);
      check_case({7, 2, 6, 6, 3, 3, 3, 1, 1}, dt, 13);
    });
    threaded::set_conv_workspace_elements(previous);
  }
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 20;
    for (const auto& c : kThreadedCases) check_case(c, dt, seed++);
  });
  threaded::set_direct_conv_enabled(direct);
  threaded::set_avx512_conv_enabled(avx512);
}

TEST(CpuFastConv, IsTheCpuDefault) { EXPECT_EQ(OpRegistry<ConvImpl>::default_variant(Device::cpu), "threaded"); }

TEST(CpuFastConv, GradientsMatchNumericalGradients) {
  for (const ConvSizes& c : {ConvSizes{2, 3, 5, 6, 3, 3, 3, 1, 1}, ConvSizes{2, 2, 7, 5, 2, 3, 2, 2, 2},
                             ConvSizes{1, 2, 9, 8, 2, 3, 3, 3, 0}}) {
    NumpyRandom rng(231);
    Tensor x = randn(rng, {c.N, c.C, c.H, c.W});
    Tensor w = randn(rng, {c.F, c.C, c.HH, c.WW});
    Tensor b = randn(rng, {c.F});
    const ConvParam p{c.stride, c.pad};
    auto fwd = conv_forward(x, w, b, p, "threaded");
    Tensor dout = randn(rng, fwd.out.shape());
    Grads g = conv_backward(dout, fwd.cache, "threaded");
    Tensor dx_num = eval_numerical_gradient_array(
        [&](const Tensor& v) { return conv_forward(v, w, b, p, "threaded").out; }, x, dout);
    Tensor dw_num = eval_numerical_gradient_array(
        [&](const Tensor& v) { return conv_forward(x, v, b, p, "threaded").out; }, w, dout);
    Tensor db_num = eval_numerical_gradient_array(
        [&](const Tensor& v) { return conv_forward(x, w, v, p, "threaded").out; }, b, dout);
    EXPECT_GRAD_CLOSE(g.dx, dx_num, "dx");
    EXPECT_GRAD_CLOSE(g.dw, dw_num, "dw");
    EXPECT_GRAD_CLOSE(g.db, db_num, "db");
  }
}

TEST(CpuFastConv, RejectsBadShapesWithClearErrors) {
  Tensor x({2, 3, 5, 5}), w({4, 2, 3, 3}), b({4});
  try {
    conv_forward(x, w, b, ConvParam{1, 0}, "threaded");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("channel mismatch"), std::string::npos) << e.what();
  }
  Tensor w_ok({4, 3, 3, 3});
  auto fwd = conv_forward(x, w_ok, b, ConvParam{1, 0}, "threaded");
  EXPECT_THROW(conv_backward(Tensor({2, 4, 4, 4}), fwd.cache, "threaded"), Error);  // dout of the wrong shape
}

// --- The CUDA variants -------------------------------------------------------

namespace {

std::string describe(const ConvCase& c, DType dt) {
  std::ostringstream os;
  os << dtype_label(dt) << " x " << shape_str(c.x) << " w " << shape_str(c.w) << " stride " << c.p.stride << " pad "
     << c.p.pad;
  return os.str();
}

const ConvCase kGpuCases[] = {
    {{4, 3, 5, 5}, {2, 3, 3, 3}, {1, 1}},       // the notebook's gradient-check shape
    {{1, 1, 7, 5}, {3, 1, 3, 2}, {2, 0}},       // N = 1, C = 1, H != W, rectangular filter, stride 2
    {{2, 5, 11, 9}, {7, 5, 5, 3}, {3, 2}},      // stride 3, pad 2
    {{3, 17, 20, 18}, {10, 17, 3, 3}, {1, 1}},  // C and F not multiples of the tile/chunk sizes
    {{2, 3, 33, 35}, {9, 3, 4, 4}, {2, 2}},     // several spatial tiles, even filter
    {{2, 20, 6, 6}, {20, 20, 1, 1}, {1, 0}},    // 1x1 filters, F over one filter chunk
    {{1, 2, 4, 4}, {3, 2, 4, 4}, {1, 0}},       // filter as large as the input: 1x1 output
    {{2, 3, 18, 17}, {4, 3, 7, 7}, {3, 3}},     // large filter, stride 3
};

class ConvGpu : public ::testing::TestWithParam<std::string> {};

TEST_P(ConvGpu, MatchesCpuReferenceForwardAndBackward) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  NumpyRandom rng(17);
  for (const ConvCase& c : kGpuCases)
    for (DType dt : kBothDtypes) {
      const std::string what = variant + " " + describe(c, dt);
      Tensor x = randn(rng, c.x, dt), w = randn(rng, c.w, dt), b = randn(rng, {c.w[0]}, dt);
      auto ref_fwd = conv_forward(x, w, b, c.p, "reference");
      Tensor dout = randn(rng, ref_fwd.out.shape(), dt);
      Grads ref_g = conv_backward(dout, ref_fwd.cache, "reference");
      PoisonScope poison;
      auto fwd = conv_forward(gpu(x), gpu(w), gpu(b), c.p, variant);
      ASSERT_EQ(fwd.out.shape(), ref_fwd.out.shape()) << what;
      EXPECT_TRUE(fwd.out.is_cuda()) << what;
      EXPECT_GPU_MATCHES(fwd.out, ref_fwd.out, dt, what + " out");
      Grads g = conv_backward(gpu(dout), fwd.cache, variant);
      EXPECT_GPU_MATCHES(g.dx, ref_g.dx, dt, what + " dx");
      EXPECT_GPU_MATCHES(g.dw, ref_g.dw, dt, what + " dw");
      EXPECT_GPU_MATCHES(g.db, ref_g.db, dt, what + " db");
      Grads gp = conv_backward_params(gpu(dout), fwd.cache, variant);
      EXPECT_PARAMS_ONLY_MATCHES(gp, ref_g, dt, what);
    }
}

// The conv notebook's check: x (4,3,5,5), w (2,3,3,3), stride 1, pad 1, float64.
TEST_P(ConvGpu, NotebookNumericalGradient) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {4, 3, 5, 5}), w = randn(rng, {2, 3, 3, 3}), b = randn(rng, {2});
  Tensor dout = randn(rng, {4, 2, 5, 5});
  const ConvParam p{1, 1};
  auto f = [&](const Tensor& xv, const Tensor& wv, const Tensor& bv) {
    return conv_forward(gpu(xv), gpu(wv), gpu(bv), p, variant).out;
  };
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(v, w, b); }, x, dout);
  Tensor dw_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, v, b); }, w, dout);
  Tensor db_num = eval_numerical_gradient_array([&](const Tensor& v) { return f(x, w, v); }, b, dout);
  auto fwd = conv_forward(gpu(x), gpu(w), gpu(b), p, variant);
  Grads g = conv_backward(gpu(dout), fwd.cache, variant);
  EXPECT_LT(rel_error(g.dx, dx_num), 1e-7) << variant;
  EXPECT_LT(rel_error(g.dw, dw_num), 1e-7) << variant;
  EXPECT_LT(rel_error(g.db, db_num), 1e-7) << variant;
}

TEST_P(ConvGpu, RejectsBadInputWithClearErrors) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  Tensor x = gpu(Tensor::zeros({2, 3, 5, 5})), w = gpu(Tensor::zeros({4, 2, 3, 3})), b = gpu(Tensor::zeros({4}));
  EXPECT_ERROR_CONTAINS(conv_forward(x, w, b, {1, 1}, variant), "channel mismatch");
  Tensor w3 = gpu(Tensor::zeros({4, 3, 3, 3}));
  EXPECT_ERROR_CONTAINS(conv_forward(x, w3, b, {0, 1}, variant), "stride");
  Tensor w64 = gpu(Tensor::zeros({4, 3, 3, 3}, DType::f64));
  EXPECT_THROW(conv_forward(x, w64, b, {1, 1}, variant), Error);
  auto fwd = conv_forward(x, w3, b, {1, 1}, variant);
  EXPECT_ERROR_CONTAINS(conv_backward(gpu(Tensor::zeros({2, 4, 4, 4})), fwd.cache, variant), "dout");
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(ConvGpu, ConvImpl);

// --- The reduced-precision CUDA variants (tf32, bf16 on tensor cores) -------

class ConvGpuReduced : public ::testing::TestWithParam<std::string> {};

// Each GEMM of the variant rounds both its operands, then accumulates in
// float32: forward (x, w), dx (dout, w), dw (dout, x). So on inputs rounded
// beforehand the variant must match the float64 reference to float32's
// 1e-5, which fails for a wrong index or a wrong rounding; on the raw inputs
// it must stay within the precision's bound.
TEST_P(ConvGpuReduced, MatchesCpuReferenceAtItsPrecision) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  const MathPrecision prec = OpRegistry<ConvImpl>::precision(Device::cuda, variant);
  NumpyRandom rng(23);
  for (const ConvCase& c : kGpuCases) {
    const std::string what = variant + " " + describe(c, DType::f32);
    Tensor x = randn(rng, c.x, DType::f32), w = randn(rng, c.w, DType::f32), b = randn(rng, {c.w[0]}, DType::f32);
    Tensor dout = randn(rng, conv_forward(x, w, b, c.p, "reference").out.shape(), DType::f32);
    PoisonScope poison;
    auto fwd = conv_forward(gpu(x), gpu(w), gpu(b), c.p, variant);
    Grads g = conv_backward(gpu(dout), fwd.cache, variant);
    Grads gp = conv_backward_params(gpu(dout), fwd.cache, variant);
    EXPECT_FALSE(gp.dx.defined()) << what;

    auto f64 = [](const Tensor& t) { return t.to(DType::f64); };
    auto ref = conv_forward(f64(x), f64(w), f64(b), c.p, "reference");
    Grads ref_g = conv_backward(f64(dout), ref.cache, "reference");
    const double bound = reduced_precision_bound(prec);
    EXPECT_LT(norm_rel_error(fwd.out, ref.out), bound) << what << " out";
    EXPECT_LT(norm_rel_error(g.dx, ref_g.dx), bound) << what << " dx";
    EXPECT_LT(norm_rel_error(g.dw, ref_g.dw), bound) << what << " dw";
    EXPECT_LT(norm_rel_error(gp.dw, ref_g.dw), bound) << what << " dw (params only)";
    EXPECT_LT(norm_rel_error(g.db, ref_g.db), 1e-5) << what << " db (a float32 sum)";

    // The same against the reference on the operands as the tensor cores read them.
    const Tensor xr = rounded(x, prec), wr = rounded(w, prec), dr = rounded(dout, prec);
    auto ref_fwd = conv_forward(xr, wr, f64(b), c.p, "reference");
    const double tol = gpu_tolerance(DType::f32);
    EXPECT_LT(norm_rel_error(fwd.out, ref_fwd.out), tol) << what << " out, rounded operands";
    const Tensor dx_r = conv_backward(dr, conv_forward(f64(x), wr, f64(b), c.p, "reference").cache, "reference").dx;
    EXPECT_LT(norm_rel_error(g.dx, dx_r), tol) << what << " dx, rounded operands";
    const Tensor dw_r = conv_backward(dr, conv_forward(xr, f64(w), f64(b), c.p, "reference").cache, "reference").dw;
    EXPECT_LT(norm_rel_error(g.dw, dw_r), tol) << what << " dw, rounded operands";
  }
}

TEST_P(ConvGpuReduced, TakesFloat32Only) {
  CONVLAB_REQUIRE_GPU();
  const std::string variant = GetParam();
  Tensor x = gpu(Tensor::zeros({2, 3, 5, 5}, DType::f64)), w = gpu(Tensor::zeros({4, 3, 3, 3}, DType::f64));
  Tensor b = gpu(Tensor::zeros({4}, DType::f64));
  EXPECT_ERROR_CONTAINS(conv_forward(x, w, b, {1, 1}, variant), "takes float32 tensors");
  EXPECT_ERROR_CONTAINS(conv_forward(gpu(Tensor::zeros({2, 2, 5, 5})), gpu(Tensor::zeros({4, 3, 3, 3})),
                                     gpu(Tensor::zeros({4})), {1, 1}, variant),
                        "channel mismatch");
}

#if CONVLAB_HAVE_CUDA
INSTANTIATE_TEST_SUITE_P(Cuda, ConvGpuReduced, ::testing::ValuesIn(cuda_reduced_precision_variants<ConvImpl>()),
                         variant_test_name);
#else
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ConvGpuReduced);
#endif

}  // namespace

// Runs without a GPU: the variants exist and the default is the GEMM one;
// a CUDA variant given CPU tensors refuses them with a message.
TEST(ConvCudaRegistry, VariantsAndDefault) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  const auto v = cuda_variants<ConvImpl>();
  for (const char* name : {"naive", "tiled", "gemm", "implicit_gemm"})
    EXPECT_NE(std::find(v.begin(), v.end(), name), v.end()) << name;
  EXPECT_EQ(OpRegistry<ConvImpl>::default_variant(Device::cuda), "gemm");
  EXPECT_EQ(cuda_reduced_precision_variants<ConvImpl>(),
            (std::vector<std::string>{"implicit_gemm_tf32", "implicit_gemm_bf16"}));
  EXPECT_EQ(OpRegistry<ConvImpl>::precision(Device::cuda, "implicit_gemm_bf16"), MathPrecision::bf16);
}

// A run's precision: while tf32 (bf16) is set, the default of an op with a
// variant of that precision is that variant; of the others, the usual one.
TEST(ConvCudaRegistry, MathPrecisionPicksEachOpsReducedDefault) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  {
    ScopedMathPrecision tf32(Device::cuda, MathPrecision::tf32);
    EXPECT_EQ(OpRegistry<ConvImpl>::resolve(Device::cuda), "implicit_gemm_tf32");
    EXPECT_EQ(OpRegistry<AffineImpl>::resolve(Device::cuda), "gemm_tf32");
    EXPECT_EQ(OpRegistry<ConvImpl>::resolve(Device::cuda, "gemm"), "gemm");  // a named variant is kept
    EXPECT_EQ(OpRegistry<ConvImpl>::resolve(Device::cpu), "threaded");       // only the device set
    ScopedMathPrecision bf16(Device::cuda, MathPrecision::bf16);
    EXPECT_EQ(OpRegistry<ConvImpl>::resolve(Device::cuda), "implicit_gemm_bf16");
    EXPECT_EQ(OpRegistry<AffineImpl>::resolve(Device::cuda), "gemm_bf16");
  }
  EXPECT_EQ(math_precision(Device::cuda), MathPrecision::full);
  EXPECT_EQ(OpRegistry<ConvImpl>::resolve(Device::cuda), "gemm");
  EXPECT_EQ(parse_math_precision("fp32"), MathPrecision::full);
  EXPECT_ERROR_CONTAINS(parse_math_precision("fp16"), "expected \"fp32\", \"tf32\" or \"bf16\"");
}

TEST(ConvCudaRegistry, CpuTensorsAreRejected) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  Tensor x = Tensor::zeros({1, 1, 3, 3}), w = Tensor::zeros({1, 1, 3, 3}), b = Tensor::zeros({1});
  for (const auto& v : OpRegistry<ConvImpl>::variants(Device::cuda))
    EXPECT_THROW(OpRegistry<ConvImpl>::get(Device::cuda, v).forward(x, w, b, ConvParam{}), Error) << v;
}
