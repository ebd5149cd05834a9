// CPU reference of conv: the conv notebook's checks with its own inputs and
// tolerances, then shapes and parameters the notebook does not use.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "use_reference_variants.h"
#include "expect_error.h"
#include "test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/conv/conv.h"

using namespace convlab;

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
TEST(SeedConvNotebook, ConvForwardNaiveMatchesCorrectOut) {
  Tensor x = linspace(-0.1, 0.5, {2, 3, 4, 4});
  Tensor w = linspace(-0.2, 0.3, {3, 3, 4, 4});
  Tensor b = linspace(-0.1, 0.2, {3});
  Tensor out = conv_out(x, w, b, {2, 1});
  Tensor correct_out = Tensor::from_vector(
      {-0.08759809, -0.10987781, -0.18387192, -0.2109216,  0.21027089, 0.21661097, 0.22847626, 0.23004637,
       0.50813986,  0.54309974,  0.64082444,  0.67101435,  -0.98053589, -1.03143541, -1.19128892, -1.24695841,
       0.69108355,  0.66880383,  0.59480972,  0.56776003,  2.36270298, 2.36904306, 2.38090835, 2.38247847},
      {2, 3, 2, 2});
  ASSERT_EQ(out.shape(), correct_out.shape());
  const double err = rel_error(out, correct_out);
  std::printf("Testing conv_forward_naive\ndifference:  %g\n", err);
  EXPECT_LT(err, 1e-7);  // the notebook: "difference should be around e-8"
}

// Cell "Convolution: Naive backward pass".
TEST(SeedConvNotebook, ConvBackwardNaiveNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {4, 3, 5, 5});
  Tensor w = randn(rng, {2, 3, 3, 3});
  Tensor b = randn(rng, {2});
  Tensor dout = randn(rng, {4, 2, 5, 5});
  ConvErrors e = conv_grad_errors(x, w, b, dout, {1, 1});
  std::printf("Testing conv_backward_naive function\ndx error:  %g\ndw error:  %g\ndb error:  %g\n", e.dx, e.dw,
              e.db);
  // The notebook: "Your errors should be around e-8 or less" (it printed 1.2e-8, 2.2e-10, 3.4e-11).
  EXPECT_LT(e.dx, 1e-7);
  EXPECT_LT(e.dw, 1e-7);
  EXPECT_LT(e.db, 1e-7);
}

TEST(ConvRef, CrossCorrelationByHand) {
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

TEST(ConvRef, OutputSizeRoundsDown) {
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

struct ConvCase {
  Shape x, w;
  ConvParam p;
};

class ConvRefShapes : public ::testing::TestWithParam<ConvCase> {};

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
    ::testing::Values(ConvCase{{1, 1, 5, 5}, {1, 1, 3, 3}, {1, 0}},    // N = 1, C = 1
                      ConvCase{{2, 2, 7, 5}, {3, 2, 3, 2}, {1, 1}},    // rectangular image and filter
                      ConvCase{{2, 3, 7, 6}, {2, 3, 3, 3}, {2, 0}},    // stride 2, no pad (6 -> floor)
                      ConvCase{{2, 3, 7, 6}, {2, 3, 3, 3}, {2, 1}},    // stride 2, pad 1
                      ConvCase{{1, 2, 8, 9}, {2, 2, 2, 3}, {3, 0}},    // stride 3, no pad
                      ConvCase{{1, 2, 8, 9}, {2, 2, 4, 3}, {3, 2}},    // stride 3, pad 2
                      ConvCase{{3, 1, 4, 4}, {1, 1, 4, 4}, {1, 0}},    // filter = image: 1x1 output
                      ConvCase{{2, 2, 3, 3}, {2, 2, 5, 5}, {1, 1}}),  // filter larger than image, fits padding
    [](const ::testing::TestParamInfo<ConvCase>& info) {
      const ConvCase& c = info.param;
      return "x" + test::shape_tag(c.x) + "_w" + test::shape_tag(c.w) + "_stride" + std::to_string(c.p.stride) +
             "_pad" + std::to_string(c.p.pad);
    });

TEST(ConvRef, Float32AgreesWithFloat64) {
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

TEST(ConvRef, ParamsOnlyBackwardGivesTheSameDwDbAndNoDx) {
  NumpyRandom rng(5);
  Tensor x = randn(rng, {2, 3, 6, 5}), w = randn(rng, {4, 3, 3, 3}), b = randn(rng, {4});
  auto fwd = conv_forward(x, w, b, {1, 1}, kRef);
  Tensor dout = randn(rng, fwd.out.shape());
  Grads full = conv_backward(dout, fwd.cache, kRef), params = conv_backward_params(dout, fwd.cache, kRef);
  EXPECT_FALSE(params.dx.defined());
  EXPECT_EQ(params.dw.to_vector(), full.dw.to_vector());
  EXPECT_EQ(params.db.to_vector(), full.db.to_vector());
}

TEST(ConvRef, BadShapesAndParamsThrowClearErrors) {
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

TEST(ConvRef, RegisteredAsCpuReference) {
  const auto v = OpRegistry<ConvImpl>::variants(Device::cpu);
  EXPECT_NE(std::find(v.begin(), v.end(), "reference"), v.end());
}

// The reference tests run the ground truth: with use_reference_variants.h the
// default CPU variant resolves to "reference" although "threaded" is the default.
TEST(ReferenceTests, UnnamedVariantResolvesToReference) {
  EXPECT_EQ(OpRegistry<ConvImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_EQ(OpRegistry<ConvImpl>::get(Device::cpu).forward, &ref::conv_forward);
  EXPECT_NE(OpRegistry<ConvImpl>::get(Device::cpu, "threaded").forward, &ref::conv_forward);
}
