// spatial_batchnorm: the CPU reference against the convolutional networks
// notebook's spatial batch normalization cells (np.random.seed(231); the
// printed statistics of the English notebook) and its own edge cases; the
// threaded CPU variant against the reference and numerical gradients; the
// CUDA variants against the CPU reference (train and test mode, running
// statistics, cache, backward; float32 and float64) and the notebook's
// numerical gradient check in float64.
#include <gtest/gtest.h>

#include "expect_error.h"
#include "host/gradcheck.h"
#include "host/ops/batchnorm/batchnorm.h"
#include "host/ops/spatial_batchnorm/spatial_batchnorm.h"
#include "norm_gpu_test_util.h"
#include "norm_sync_test_util.h"
#include "norm_test_util.h"
#include "test_util.h"
#include "threaded_norm_check.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

class SeedConvNotebookSpatialBatchnorm : public ReferenceVariants {};
class SpatialBatchnormReference : public ReferenceVariants {};

// Cell "Spatial batch normalization: forward", all three printed blocks.
TEST_F(SeedConvNotebookSpatialBatchnorm, TrainForwardMeansAndStds) {
  NumpyRandom rng(231);
  const Tensor x = randn_affine(rng, {2, 3, 4, 5}, 4, 10);
  const MeanStd before = stats_channels(x);
  expect_near_all(before.mean, {9.33463814, 8.90909116, 9.11056338}, 1e-8, "before mean");
  expect_near_all(before.std, {3.61447857, 3.19347686, 3.5168142}, 1e-8, "before std");

  BatchNormParam p;
  auto fwd = spatial_batchnorm_forward(x, Tensor::full({3}, 1.0, DType::f64), Tensor::zeros({3}, DType::f64), p);
  EXPECT_EQ(fwd.out.shape(), (Shape{2, 3, 4, 5}));
  const MeanStd after = stats_channels(fwd.out);
  expect_near_all(after.mean, {0, 0, 0}, 1e-14, "after mean");
  expect_near_all(after.std, {0.99999962, 0.99999951, 0.9999996}, 1e-8, "after std");

  auto fwd2 = spatial_batchnorm_forward(x, Tensor::from_vector({3, 4, 5}, {3}), Tensor::from_vector({6, 7, 8}, {3}), p);
  const MeanStd after2 = stats_channels(fwd2.out);
  expect_near_all(after2.mean, {6, 7, 8}, 1e-13, "nontrivial mean");
  expect_near_all(after2.std, {2.99999885, 3.99999804, 4.99999798}, 1e-8, "nontrivial std");
}

// Cell with 50 train-mode passes (N, C, H, W = 10, 4, 11, 12) then one test-mode pass.
TEST_F(SeedConvNotebookSpatialBatchnorm, TestTimeForwardUsesRunningAverages) {
  NumpyRandom rng(231);
  const Tensor gamma = Tensor::full({4}, 1.0, DType::f64), beta = Tensor::zeros({4}, DType::f64);
  BatchNormParam p;
  for (int t = 0; t < 50; ++t) spatial_batchnorm_forward(randn_affine(rng, {10, 4, 11, 12}, 2.3, 13), gamma, beta, p);
  p.mode = Mode::test;
  auto fwd = spatial_batchnorm_forward(randn_affine(rng, {10, 4, 11, 12}, 2.3, 13), gamma, beta, p);
  const MeanStd s = stats_channels(fwd.out);
  for (int c = 0; c < 4; ++c) {  // noisier than training, but ~ 0 and ~ 1
    EXPECT_LT(std::abs(s.mean[c]), 0.2);
    EXPECT_LT(std::abs(s.std[c] - 1.0), 0.1);
  }
  expect_near_all(s.mean, {-0.08034406, 0.07562881, 0.05716371, 0.04378383}, 1e-8, "test-time mean");
  expect_near_all(s.std, {0.96718744, 1.0299714, 1.02887624, 1.00585577}, 1e-8, "test-time std");
}

// Cell "Spatial batch normalization: backward": errors expected 1e-12 .. 1e-6.
TEST_F(SeedConvNotebookSpatialBatchnorm, BackwardNumericalGradient) {
  NumpyRandom rng(231);
  Tensor x = randn_affine(rng, {2, 3, 4, 5}, 5, 12);
  Tensor gamma = randn(rng, {3});
  Tensor beta = randn(rng, {3});
  const Tensor dout = randn(rng, {2, 3, 4, 5});
  BatchNormParam p;
  auto fx = [&](const Tensor& v) { return spatial_batchnorm_forward(v, gamma, beta, p).out; };
  auto fg = [&](const Tensor& v) { return spatial_batchnorm_forward(x, v, beta, p).out; };
  auto fb = [&](const Tensor& v) { return spatial_batchnorm_forward(x, gamma, v, p).out; };
  Tensor g2 = gamma.clone(), b2 = beta.clone();
  const Tensor dx_num = eval_numerical_gradient_array(fx, x, dout);
  const Tensor dg_num = eval_numerical_gradient_array(fg, g2, dout);
  const Tensor db_num = eval_numerical_gradient_array(fb, b2, dout);
  auto fwd = spatial_batchnorm_forward(x, gamma, beta, p);
  const NormGrads g = spatial_batchnorm_backward(dout, fwd.cache);
  EXPECT_LT(rel_error(dx_num, g.dx), 1e-6);
  EXPECT_LT(rel_error(dg_num, g.dgamma), 1e-6);
  EXPECT_LT(rel_error(db_num, g.dbeta), 1e-6);
}

// Spatial batchnorm equals batchnorm on x moved to (N*H*W, C).
TEST_F(SpatialBatchnormReference, MatchesBatchnormOnChannelsLastRows) {
  NumpyRandom rng(5);
  const int64_t N = 3, C = 2, H = 2, W = 5;  // H != W
  const Tensor x = randn_affine(rng, {N, C, H, W}, 2, 1), gamma = randn(rng, {C}), beta = randn(rng, {C});
  const Tensor dout = randn(rng, {N, C, H, W});
  auto rows = [&](const Tensor& t) {
    Tensor r({N * H * W, C}, DType::f64);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t s = 0; s < H * W; ++s) r.set_item((n * H * W + s) * C + c, t.item((n * C + c) * H * W + s));
    return r;
  };
  BatchNormParam ps, pb;
  auto fs = spatial_batchnorm_forward(x, gamma, beta, ps);
  auto fb = batchnorm_forward(rows(x), gamma, beta, pb);
  EXPECT_LT(rel_error(rows(fs.out), fb.out), 1e-12);
  EXPECT_LT(rel_error(ps.running_mean, pb.running_mean), 1e-12);
  EXPECT_LT(rel_error(ps.running_var, pb.running_var), 1e-12);
  const NormGrads gs = spatial_batchnorm_backward(dout, fs.cache), gb = batchnorm_backward_alt(rows(dout), fb.cache);
  EXPECT_LT(rel_error(rows(gs.dx), gb.dx), 1e-9);
  EXPECT_LT(rel_error(gs.dgamma, gb.dgamma), 1e-12);
  EXPECT_LT(rel_error(gs.dbeta, gb.dbeta), 1e-12);
}

TEST_F(SpatialBatchnormReference, SingleChannelNumericalGradientAndTestMode) {
  NumpyRandom rng(9);
  Tensor x = randn(rng, {2, 1, 3, 4});
  Tensor gamma = randn(rng, {1});
  const Tensor beta = randn(rng, {1}), dout = randn(rng, {2, 1, 3, 4});
  BatchNormParam p;
  auto fx = [&](const Tensor& v) { return spatial_batchnorm_forward(v, gamma, beta, p).out; };
  const Tensor dx_num = eval_numerical_gradient_array(fx, x, dout);
  auto fwd = spatial_batchnorm_forward(x, gamma, beta, p);
  EXPECT_LT(rel_error(dx_num, spatial_batchnorm_backward(dout, fwd.cache).dx), 1e-7);
  EXPECT_EQ(p.running_mean.shape(), (Shape{1}));
  p.mode = Mode::test;
  const Tensor dx_num_test = eval_numerical_gradient_array(fx, x, dout);
  auto ft = spatial_batchnorm_forward(x, gamma, beta, p);
  EXPECT_LT(rel_error(dx_num_test, spatial_batchnorm_backward(dout, ft.cache).dx), 1e-8);
}

TEST_F(SpatialBatchnormReference, Float32MatchesFloat64) {
  NumpyRandom rng(13);
  const Tensor x = randn_affine(rng, {4, 3, 5, 2}, 3, -1), gamma = randn(rng, {3}), beta = randn(rng, {3});
  const Tensor dout = randn(rng, {4, 3, 5, 2});
  BatchNormParam p64, p32;
  auto f64 = spatial_batchnorm_forward(x, gamma, beta, p64);
  auto f32 = spatial_batchnorm_forward(x.to(DType::f32), gamma.to(DType::f32), beta.to(DType::f32), p32);
  EXPECT_EQ(f32.out.dtype(), DType::f32);
  EXPECT_LT(rel_error(f64.out, f32.out), 1e-4);
  const NormGrads g64 = spatial_batchnorm_backward(dout, f64.cache);
  const NormGrads g32 = spatial_batchnorm_backward(dout.to(DType::f32), f32.cache);
  EXPECT_LT(rel_error(g64.dx, g32.dx), 1e-3);
  EXPECT_LT(rel_error(g64.dgamma, g32.dgamma), 1e-4);
  EXPECT_LT(rel_error(g64.dbeta, g32.dbeta), 1e-5);
}

TEST_F(SpatialBatchnormReference, BadArgumentsThrowClearErrors) {
  const Tensor x = Tensor::zeros({2, 3, 4, 4}, DType::f64), g = Tensor::zeros({3}, DType::f64);
  BatchNormParam p;
  EXPECT_ERROR_CONTAINS(spatial_batchnorm_forward(Tensor::zeros({2, 3}, DType::f64), g, g, p), "(N, C, H, W)");
  EXPECT_ERROR_CONTAINS(spatial_batchnorm_forward(x, Tensor::zeros({1, 3, 1, 1}, DType::f64), g, p), "gamma");
  BatchNormParam bad;
  bad.running_var = Tensor::zeros({3}, DType::f32);
  EXPECT_ERROR_CONTAINS(spatial_batchnorm_forward(x, g, g, bad), "running_var");
  auto fwd = spatial_batchnorm_forward(x, g, g, p);
  EXPECT_ERROR_CONTAINS(spatial_batchnorm_backward(Tensor::zeros({2, 3, 4, 5}, DType::f64), fwd.cache), "dout");
}

// --- The threaded CPU variant ------------------------------------------------

namespace {

NormForwardFn train_forward() {
  return [](const Tensor& x, const Tensor& g, const Tensor& b, const std::string& v) {
    BatchNormParam p;
    return spatial_batchnorm_forward(x, g, b, p, v);
  };
}
NormGrads backward(const Tensor& d, const NormCache& c, const std::string& v) {
  return spatial_batchnorm_backward(d, c, v);
}

}  // namespace

TEST(CpuFastSpatialBatchnorm, MatchesReference) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 30;
    for (const Shape& s :
         {Shape{2, 3, 4, 5}, Shape{1, 1, 3, 7}, Shape{10, 4, 1, 1}, Shape{50, 32, 16, 16}, Shape{3, 130, 2, 3}})
      expect_norm_matches(train_forward(), backward, s, s[1], dt, seed++);
  });
}

TEST(CpuFastSpatialBatchnorm, RunningStatisticsAndTestModeMatchReference) {
  for_each_dtype_and_threads([](DType dt) {
    NumpyRandom rng(31);
    Tensor gamma = randn_as(rng, {3}, dt), beta = randn_as(rng, {3}, dt);
    BatchNormParam pr, pf;
    for (int step = 0; step < 4; ++step) {
      Tensor x = randn_as(rng, {5, 3, 6, 4}, dt, 3.0);
      spatial_batchnorm_forward(x, gamma, beta, pr, "reference");
      spatial_batchnorm_forward(x, gamma, beta, pf, "threaded");
    }
    EXPECT_FAST_MATCHES(pf.running_mean, pr.running_mean, dt, "running_mean");
    EXPECT_FAST_MATCHES(pf.running_var, pr.running_var, dt, "running_var");
    pr.mode = pf.mode = Mode::test;
    Tensor x = randn_as(rng, {5, 3, 6, 4}, dt, 3.0);
    auto ref = spatial_batchnorm_forward(x, gamma, beta, pr, "reference");
    auto fast = spatial_batchnorm_forward(x, gamma, beta, pf, "threaded");
    EXPECT_FAST_MATCHES(fast.out, ref.out, dt, "test-mode out");
    Tensor dout = randn_as(rng, x.shape(), dt);
    EXPECT_FAST_MATCHES(backward(dout, fast.cache, "threaded").dx, backward(dout, ref.cache, "reference").dx, dt,
                        "test-mode dx");
  });
}

TEST(CpuFastSpatialBatchnorm, GradientsMatchNumericalGradients) {
  expect_norm_gradients(train_forward(), backward, {2, 3, 4, 5}, 3);
}

TEST(CpuFastSpatialBatchnorm, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<SpatialBatchNormImpl>::default_variant(Device::cpu), "threaded");
  BatchNormParam p;
  EXPECT_THROW(spatial_batchnorm_forward(Tensor({2, 3, 4}), Tensor({3}), Tensor({3}), p, "threaded"), Error);
  EXPECT_THROW(spatial_batchnorm_forward(Tensor({2, 3, 4, 4}), Tensor({4}), Tensor({3}), p, "threaded"), Error);
}

// --- The CUDA variants -------------------------------------------------------

namespace convlab::test {
namespace {

const std::vector<Shape> kShapes = {
    {2, 3, 4, 5}, {1, 1, 3, 7}, {8, 16, 9, 11}, {4, 2, 64, 64}, {64, 3, 32, 32}, {3, 5, 1, 1}, {2, 40, 7, 3},
};

TEST(GpuSpatialBatchnorm, EveryVariantMatchesReference) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(11);
  const auto variants = OpRegistry<SpatialBatchNormImpl>::variants(Device::cuda);
  ASSERT_GE(variants.size(), 2u);
  for (const auto& v : variants)
    for (DType dt : {DType::f32, DType::f64})
      for (const Shape& s : kShapes)
        for (Mode mode : {Mode::train, Mode::test}) {
          BatchNormParam p;
          p.mode = mode;
          p.running_mean = random_tensor(rng, {s[1]}, dt);
          p.running_var = uniform(rng, {s[1]}, 0.5, 2.5, dt);  // positive
          expect_norm_variant_matches<SpatialBatchNormImpl>(v, &SpatialBatchNormImpl::backward, s, s[1], p, dt, rng);
        }
}

TEST(GpuSpatialBatchnorm, CreatesRunningStats) {
  CONVLAB_REQUIRE_GPU();
  NumpyRandom rng(12);
  for (const auto& v : OpRegistry<SpatialBatchNormImpl>::variants(Device::cuda))
    expect_norm_variant_matches<SpatialBatchNormImpl>(v, &SpatialBatchNormImpl::backward, {5, 4, 6, 2}, 4,
                                                      BatchNormParam{}, DType::f32, rng);
}

TEST(GpuSpatialBatchnorm, NumericalGradientsThroughEveryVariant) {
  CONVLAB_REQUIRE_GPU();
  for (const auto& v : OpRegistry<SpatialBatchNormImpl>::variants(Device::cuda))
    expect_numeric_gradients<SpatialBatchNormImpl>(v, &SpatialBatchNormImpl::backward, {2, 3, 4, 5}, 3,
                                                   BatchNormParam{}, 1e-6);
}

TEST(GpuSpatialBatchnorm, FastIsTheDefault) {
  CONVLAB_REQUIRE_CUDA_BUILD();
  EXPECT_EQ(OpRegistry<SpatialBatchNormImpl>::default_variant(Device::cuda), "warp");
}

}  // namespace
}  // namespace convlab::test

// --- Synchronized batchnorm (host/ops/norm/norm_sync.h) ----------------------
// Every variant, run as 1, 2 and 3 shards of the batch, gives plain batchnorm
// over the whole batch (the CPU reference): out, dx, dgamma, dbeta, running stats.

namespace convlab::test {
namespace {

TEST(SyncSpatialBatchnorm, EveryCpuVariantOnShardsMatchesTheWholeBatch) {
  expect_sync_variants_match<SpatialBatchNormImpl>(Device::cpu, {6, 4, 5, 3});
}

TEST(SyncSpatialBatchnorm, EveryGpuVariantOnShardsMatchesTheWholeBatch) {
  CONVLAB_REQUIRE_GPU();
  expect_sync_variants_match<SpatialBatchNormImpl>(Device::cuda, {6, 4, 5, 3});
}

TEST(SyncSpatialBatchnorm, RefusesTestModeAndAPlainCache) {
  expect_sync_refuses_bad_use<SpatialBatchNormImpl>({6, 4, 5, 3});
}

}  // namespace
}  // namespace convlab::test
