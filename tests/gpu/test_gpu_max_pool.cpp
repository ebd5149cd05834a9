// Every CUDA variant of max_pool against the CPU reference (float32 and
// float64, overlapping and non-overlapping windows, ties), the notebook's
// numerical gradient check through each variant, and mixing caches.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "expect_error.h"
#include "gpu_core_test_util.h"
#include "host/gradcheck.h"
#include "host/ops/max_pool/max_pool.h"

using namespace convlab;
using namespace convlab::test;

namespace {

struct PoolCase {
  Shape x;
  PoolParam p;
};

const PoolCase kCases[] = {
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
  for (const PoolCase& c : kCases)
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
  const auto v = cuda_variants<MaxPoolImpl>();
  for (const char* name : {"naive", "argmax"}) EXPECT_NE(std::find(v.begin(), v.end(), name), v.end()) << name;
  EXPECT_EQ(OpRegistry<MaxPoolImpl>::default_variant(Device::cuda), "argmax");
}

TEST(MaxPoolCudaRegistry, CpuTensorsAreRejected) {
  Tensor x = Tensor::zeros({1, 1, 4, 4});
  for (const auto& v : cuda_variants<MaxPoolImpl>())
    EXPECT_THROW(OpRegistry<MaxPoolImpl>::get(Device::cuda, v).forward(x, PoolParam{}), Error) << v;
}
