// Every CUDA variant of conv against the CPU reference (forward, dx, dw, db;
// float32 and float64; awkward shapes), and the conv notebook's numerical
// gradient check run through each variant in float64.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/gradcheck.h"
#include "host/ops/conv/conv.h"

using namespace convlab;
using namespace convlab::test;

namespace {

struct ConvCase {
  Shape x, w;
  ConvParam p;
};

std::string describe(const ConvCase& c, DType dt) {
  std::ostringstream os;
  os << dtype_label(dt) << " x " << shape_str(c.x) << " w " << shape_str(c.w) << " stride " << c.p.stride << " pad "
     << c.p.pad;
  return os.str();
}

const ConvCase kCases[] = {
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
  for (const ConvCase& c : kCases)
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

}  // namespace

// Runs without a GPU: the variants exist and the default is the GEMM one;
// a CUDA variant given CPU tensors refuses them with a message.
TEST(ConvCudaRegistry, VariantsAndDefault) {
  const auto v = cuda_variants<ConvImpl>();
  for (const char* name : {"naive", "tiled", "gemm"}) EXPECT_NE(std::find(v.begin(), v.end(), name), v.end()) << name;
  EXPECT_EQ(OpRegistry<ConvImpl>::default_variant(Device::cuda), "gemm");
}

TEST(ConvCudaRegistry, CpuTensorsAreRejected) {
  Tensor x = Tensor::zeros({1, 1, 3, 3}), w = Tensor::zeros({1, 1, 3, 3}), b = Tensor::zeros({1});
  for (const auto& v : cuda_variants<ConvImpl>())
    EXPECT_THROW(OpRegistry<ConvImpl>::get(Device::cuda, v).forward(x, w, b, ConvParam{}), Error) << v;
}
