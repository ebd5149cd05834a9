// gelu (exact erf form): the CPU reference against hand-computed values and a
// numerical gradient check in double; the threaded CPU variant against the
// reference; every CUDA variant against the CPU reference; bad input; the
// registry defaults; a sequential model with a gelu layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gpu_core_test_util.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/gelu/gelu.h"
#include "host/ops/gelu/gelu_check.h"
#include "host/ops/registry.h"
#include "model_test_util.h"
#include "models/model_factory.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

namespace {
const char* kRef = "reference";
}

class GeluRef : public ReferenceVariants {};

// gelu(0) = 0, gelu(1) = Phi(1), gelu(-1) = -Phi(-1), gelu(2) = 2 Phi(2)
// (Phi the standard normal CDF: 0.8413447460685429, 0.15865525393145707, 0.9772498680518208).
TEST_F(GeluRef, ForwardHandComputedValues) {
  Tensor x = Tensor::from_vector({0., 1., -1., 2.}, {2, 2});
  Tensor out = gelu_forward(x, kRef).out;
  const double expected[] = {0.0, 0.8413447460685429, -0.15865525393145707, 1.9544997361036416};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out.item(i), expected[i], 1e-15) << i;
}

// d/dx gelu = Phi(x) + x phi(x): at 0 it is 0.5, at 1 Phi(1) + phi(1) = 0.8413447460685429 +
// 0.24197072451914337, at -1 Phi(-1) - phi(-1) = 0.15865525393145707 - 0.24197072451914337.
TEST_F(GeluRef, BackwardHandComputedValues) {
  Tensor x = Tensor::from_vector({0., 1., -1.}, {3});
  Tensor dout = Tensor::from_vector({1., 2., 1.}, {3});
  Tensor dx = gelu_backward(dout, gelu_forward(x, kRef).cache, kRef);
  EXPECT_NEAR(dx.item(0), 0.5, 1e-15);
  EXPECT_NEAR(dx.item(1), 2.0 * (0.8413447460685429 + 0.24197072451914337), 1e-15);
  EXPECT_NEAR(dx.item(2), 0.15865525393145707 - 0.24197072451914337, 1e-15);
}

TEST_F(GeluRef, BackwardNumericGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10}), dout = randn(rng, {10, 10});
  Tensor dx_num = eval_numerical_gradient_array([&](const Tensor& v) { return gelu_forward(v, kRef).out; }, x, dout);
  Tensor dx = gelu_backward(dout, gelu_forward(x, kRef).cache, kRef);
  EXPECT_LT(rel_error(dx, dx_num), 1e-8);
}

// float32 is computed in double and rounded once.
TEST_F(GeluRef, FloatIsTheRoundedDoubleResult) {
  NumpyRandom rng(5);
  Tensor x64 = randn(rng, {37}, DType::f64, 3.0);
  Tensor x32 = x64.to(DType::f32);
  Tensor out32 = gelu_forward(x32, kRef).out;
  for (int64_t i = 0; i < 37; ++i) {
    const double xi = static_cast<float>(x64.item(i));
    EXPECT_EQ(out32.item(i), static_cast<double>(static_cast<float>(0.5 * xi * std::erfc(-xi / std::sqrt(2.0)))));
  }
}

// --- The threaded CPU variant ------------------------------------------------

TEST(CpuFastGelu, MatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 7;
    for (const Shape& s : {Shape{1}, Shape{3, 4}, Shape{2, 3, 5, 7}, Shape{50, 32, 32, 32}}) {
      SCOPED_TRACE("x " + shape_str(s));
      NumpyRandom rng(seed++);
      Tensor x = randn_as(rng, s, dt, 3.0);
      auto ref = gelu_forward(x, "reference");
      auto fast = gelu_forward(x, "threaded");
      const double tol = dt == DType::f32 ? 1e-6 : 1e-14;
      EXPECT_LT(norm_rel_error(fast.out, ref.out), tol);
      Tensor dout = randn_as(rng, s, dt);
      EXPECT_LT(
          norm_rel_error(gelu_backward(dout, fast.cache, "threaded"), gelu_backward(dout, ref.cache, "reference")),
          tol);
    }
  });
}

// outs/dxs: the forward and backward results with 1 and 3 threads.
void expect_accurate_and_equal(const Tensor& x, const std::vector<Tensor>& outs, const std::vector<Tensor>& dxs) {
  const int64_t n = x.numel();
  double worst_out = 0, worst_dx = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double xi = x.data<float>()[i];
    const double want = gelu_value<double>(xi), want_dx = gelu_grad<double>(xi, 1.0);
    // Relative error, with an absolute floor far below float32's normal range.
    worst_out = std::max(worst_out, std::abs(outs[0].data<float>()[i] - want) / std::max(std::abs(want), 1e-30));
    // d/dx gelu = Phi(x) + x phi(x) crosses 0 near x = -0.75: its error is
    // measured against the size of the two terms.
    const double terms =
        0.5 * std::erfc(-xi / std::sqrt(2.0)) + std::abs(xi) * std::exp(-0.5 * xi * xi) * 0.3989422804014327;
    worst_dx = std::max(worst_dx, std::abs(dxs[0].data<float>()[i] - want_dx) / std::max(terms, 1e-30));
    ASSERT_EQ(outs[0].data<float>()[i], outs[1].data<float>()[i]) << "x = " << xi;
    ASSERT_EQ(dxs[0].data<float>()[i], dxs[1].data<float>()[i]) << "x = " << xi;
  }
  EXPECT_LT(worst_out, 2e-6);
  EXPECT_LT(worst_dx, 2e-6);
}

// Element by element over [-14, 14] (both tails, where 1 + erf cancels):
// float32 relative error within a few units in the last place of the
// double-precision result (the gradient's against the size of its terms); and every element the same
// with 1 and 3 threads (an odd length, so a partial vector group is left),
// for each vector width the CPU has.
TEST(CpuFastGelu, FloatIsAccurateElementByElementAndIndependentOfThreads) {
  const int64_t n = 28001;
  Tensor x({n}, DType::f32), dout({n}, DType::f32);
  for (int64_t i = 0; i < n; ++i) {
    x.data<float>()[i] = static_cast<float>(-14.0 + 28.0 * static_cast<double>(i) / static_cast<double>(n - 1));
    dout.data<float>()[i] = 1.0f;
  }
  // AVX-512 (where the CPU has it), then the AVX2 kernels on the same CPU.
  for (bool avx512 : {true, false}) {
    SCOPED_TRACE(avx512 ? "AVX-512 where available" : "AVX2");
    const bool previous = threaded::set_gelu_avx512_enabled(avx512);
    std::vector<Tensor> outs, dxs;
    for (int threads : {1, 3}) {
      set_num_threads(threads);
      auto fwd = gelu_forward(x, "threaded");
      outs.push_back(fwd.out);
      dxs.push_back(gelu_backward(dout, fwd.cache, "threaded"));
    }
    set_num_threads(0);
    threaded::set_gelu_avx512_enabled(previous);
    expect_accurate_and_equal(x, outs, dxs);
  }
}

TEST(CpuFastGelu, GradientMatchesNumericalGradient) {
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10});
  Tensor dout = randn(rng, {10, 10});
  auto fwd = gelu_forward(x, "threaded");
  Tensor dx_num =
      eval_numerical_gradient_array([](const Tensor& v) { return gelu_forward(v, "threaded").out; }, x, dout);
  EXPECT_GRAD_CLOSE(gelu_backward(dout, fwd.cache, "threaded"), dx_num, "dx");
}

TEST(CpuFastGelu, RegistryDefaultsAndBadInput) {
  EXPECT_EQ(OpRegistry<GeluImpl>::default_variant(Device::cpu), "threaded");
  EXPECT_EQ(std::string(kGeluDefaultCpu), "threaded");
  EXPECT_EQ(std::string(kGeluDefaultCuda), "vec");
  for (const char* v : {"reference", "threaded"}) {
    SCOPED_TRACE(v);
    EXPECT_THROW(gelu_forward(Tensor({2, 2}, DType::i32), v), Error);
    auto fwd = gelu_forward(Tensor::zeros({2, 2}, DType::f32), v);
    EXPECT_THROW(gelu_backward(Tensor::zeros({2, 3}, DType::f32), fwd.cache, v), Error);
    EXPECT_THROW(gelu_backward(Tensor::zeros({2, 2}, DType::f64), fwd.cache, v), Error);
    EXPECT_NO_THROW(gelu_backward(Tensor::zeros({2, 2}, DType::f32), fwd.cache, v));
  }
  EXPECT_THROW(gelu_forward(Tensor::zeros({2, 2}), "no_such_variant"), Error);
}

// --- A sequential model with a gelu layer ------------------------------------

TEST(GeluLayer, SequentialModelBuildsHasCorrectGradientsAndTrainsAStep) {
  const nlohmann::json spec = nlohmann::json::parse(R"({
    "type": "sequential", "input_dim": [2, 6, 6], "num_classes": 3, "dtype": "float64", "weight_scale": 0.3,
    "layers": [{"type": "conv", "num_filters": 3, "filter_size": 3}, {"type": "gelu"}, {"type": "max_pool"},
               {"type": "affine", "out_dim": 5}, {"type": "gelu"}, {"type": "affine", "out_dim": 3}]})");
  NumpyRandom rng(17);
  ModelPtr model = build_model(spec, rng);
  const auto plan = model->plan();
  EXPECT_NE(std::find(plan.begin(), plan.end(), "gelu -> gelu cpu/threaded"), plan.end());
  const Tensor X = randn(rng, {4, 2, 6, 6});
  const Tensor y = randint(rng, 0, 3, 4);
  // Gradients through both gelu layers against numerical ones.
  for (const auto& kv : test::model_grad_errors(*model, X, y, 1e-6)) {
    SCOPED_TRACE(kv.first);
    EXPECT_LE(kv.second, 1e-6);
  }
  // One plain SGD step along the gradient lowers the loss.
  const double loss0 = model->loss_value(X, y);
  auto params = model->params();
  const auto grads = model->grads();
  for (auto& kv : params) {
    Tensor& w = kv.second;
    const Tensor& g = grads.at(kv.first);
    for (int64_t i = 0; i < w.numel(); ++i) w.data<double>()[i] -= 1e-2 * g.data<double>()[i];
  }
  EXPECT_LT(model->loss_value(X, y), loss0);
}

// --- The CUDA variants -------------------------------------------------------

namespace {

class GeluGpu : public ::testing::TestWithParam<std::string> {};

TEST_P(GeluGpu, MatchesCpuReferenceForwardAndBackward) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(43);
  // Sizes with and without a tail after the 16-byte vectors.
  for (const Shape& s : {Shape{10, 10}, Shape{1}, Shape{3}, Shape{7}, Shape{3, 5, 7, 9}, Shape{1000, 33}})
    for (DType dt : kBothDtypes) {
      const std::string what = GetParam() + " " + dtype_label(dt) + " " + shape_str(s);
      Tensor x = randn(rng, s, dt), dout = randn(rng, s, dt);
      auto ref_fwd = gelu_forward(x, "reference");
      Tensor ref_dx = gelu_backward(dout, ref_fwd.cache, "reference");
      PoisonScope poison;
      auto fwd = gelu_forward(gpu(x), GetParam());
      EXPECT_GPU_MATCHES(fwd.out, ref_fwd.out, dt, what + " out");
      EXPECT_GPU_MATCHES(gelu_backward(gpu(dout), fwd.cache, GetParam()), ref_dx, dt, what + " dx");
    }
}

// Row views that start off a 16-byte boundary (rows of 3 floats / doubles)
// take the scalar path of the vec variant; the others its vectors.
TEST_P(GeluGpu, MatchesCpuReferenceOnOffsetViews) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(11);
  for (DType dt : kBothDtypes)
    for (int64_t begin : {0, 1, 2, 4}) {
      const std::string what = GetParam() + " " + dtype_label(dt) + " rows from " + std::to_string(begin);
      Tensor x = randn(rng, {41, 3}, dt), dout = randn(rng, {41, 3}, dt);
      Tensor xs = x.slice0(begin, 41), ds = dout.slice0(begin, 41);
      auto ref_fwd = gelu_forward(xs, "reference");
      Tensor ref_dx = gelu_backward(ds, ref_fwd.cache, "reference");
      auto fwd = gelu_forward(gpu(x).slice0(begin, 41), GetParam());
      EXPECT_GPU_MATCHES(fwd.out, ref_fwd.out, dt, what + " out");
      EXPECT_GPU_MATCHES(gelu_backward(gpu(dout).slice0(begin, 41), fwd.cache, GetParam()), ref_dx, dt, what + " dx");
    }
}

TEST_P(GeluGpu, NumericalGradient) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(231);
  Tensor x = randn(rng, {10, 10}), dout = randn(rng, {10, 10});
  Tensor dx_num =
      eval_numerical_gradient_array([&](const Tensor& v) { return gelu_forward(gpu(v), GetParam()).out; }, x, dout);
  Tensor dx = gelu_backward(gpu(dout), gelu_forward(gpu(x), GetParam()).cache, GetParam());
  EXPECT_LT(rel_error(dx, dx_num), 1e-8) << GetParam();
}

TEST_P(GeluGpu, RejectsBadInput) {
  CONVLAB_REQUIRE_GPU();
  EXPECT_THROW(gelu_forward(Tensor::zeros({3, 4}), GetParam()), Error);
  auto fwd = gelu_forward(gpu(Tensor::zeros({3, 4})), GetParam());
  EXPECT_THROW(gelu_backward(gpu(Tensor::zeros({4, 3})), fwd.cache, GetParam()), Error);
  EXPECT_THROW(gelu_backward(Tensor::zeros({3, 4}), fwd.cache, GetParam()), Error);
}

CONVLAB_INSTANTIATE_FOR_CUDA_VARIANTS(GeluGpu, GeluImpl);

}  // namespace

TEST(GeluCudaRegistry, HasBothVariantsAndTheDefault) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  EXPECT_EQ(cuda_variants<GeluImpl>(), (std::vector<std::string>{"naive", "vec"}));
  EXPECT_EQ(OpRegistry<GeluImpl>::default_variant(Device::cuda), "vec");
}
