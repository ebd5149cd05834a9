// The training data pipeline: augmentation (hand-made expected pixels, draw
// statistics, the alternating flip), per-channel normalisation, "epoch"
// sampling, determinism and prefetch in the Solver, the config keys, and the
// GPU kernel against the CPU path (on the CUDA emulator).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cifar10_test_util.h"
#include "expect_error.h"
#include "gpu_test_util.h"
#include "host/config/config.h"
#include "host/data/augment.h"
#include "host/data/cifar10.h"
#include "host/data/dataset.h"
#include "host/data/prefetch_loader.h"
#include "host/solver/solver.h"
#include "models/fc_net.h"
#include "solver_test_util.h"
#include "test_util.h"

using namespace convlab;

namespace {

// One 1 x 4 x 4 picture, pixel (y, x) = 10 y + x:
//    0  1  2  3
//   10 11 12 13
//   20 21 22 23
//   30 31 32 33
Dataset picture(Tensor mean = Tensor(), Tensor cmean = Tensor(), Tensor cstd = Tensor()) {
  Tensor img({1, 1, 4, 4}, DType::u8);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) img.data<uint8_t>()[y * 4 + x] = static_cast<uint8_t>(10 * y + x);
  return Dataset(img, Tensor::from_vector({7}, {1}, DType::i32), mean, cmean, cstd);
}

AugmentSample shift(int dy, int dx, int flip = 0) {
  AugmentSample s;
  s.dy = dy;
  s.dx = dx;
  s.flip = flip;
  return s;
}

std::vector<double> gather_one(const Dataset& d, const AugmentSample& s, PadMode pad) {
  const Batch b = d.gather({0}, {s}, pad);
  EXPECT_EQ(b.y.item(0), 7.0);
  return b.X.to_vector();
}

}  // namespace

TEST(Augment, ShiftWithReflectPaddingMatchesHandMadePixels) {
  // out(y, x) = img(reflect(y + 1), reflect(x - 1)).
  const std::vector<double> want = {11, 10, 11, 12, 21, 20, 21, 22, 31, 30, 31, 32, 21, 20, 21, 22};
  EXPECT_EQ(gather_one(picture(), shift(1, -1), PadMode::reflect), want);
  // Shifting by the full pad the other way: row -2 -> 2, column 5 -> 1.
  const std::vector<double> want2 = {21, 22, 23, 22, 11, 12, 13, 12, 1, 2, 3, 2, 11, 12, 13, 12};
  EXPECT_EQ(gather_one(picture(), shift(-2, 1), PadMode::reflect), want2);
}

TEST(Augment, ShiftWithZeroPaddingMatchesHandMadePixels) {
  const std::vector<double> want = {0, 10, 11, 12, 0, 20, 21, 22, 0, 30, 31, 32, 0, 0, 0, 0};
  EXPECT_EQ(gather_one(picture(), shift(1, -1), PadMode::zero), want);
}

TEST(Augment, FlipMirrorsEachRowAndComposesWithTheShift) {
  const std::vector<double> flipped = {3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20, 33, 32, 31, 30};
  EXPECT_EQ(gather_one(picture(), shift(0, 0, 1), PadMode::zero), flipped);
  // The flipped image shifted by dx = 1: out(y, x) = img(y, 3 - x + 1), column 4 is padding.
  const std::vector<double> both = {0, 3, 2, 1, 0, 13, 12, 11, 0, 23, 22, 21, 0, 33, 32, 31};
  EXPECT_EQ(gather_one(picture(), shift(0, 1, 1), PadMode::zero), both);
}

TEST(Augment, CutoutZeroesItsRectangleAfterNormalisation) {
  // Mean image 5 everywhere: the pixels become p - 5, the cutout 0 (not -5).
  Tensor mean = Tensor::full({1, 4, 4}, 5.0, DType::f32);
  AugmentSample s;
  s.cut_y0 = 1;
  s.cut_y1 = 3;
  s.cut_x0 = 0;
  s.cut_x1 = 2;
  const std::vector<double> want = {-5, -4, -3, -2, 0, 0, 7, 8, 0, 0, 17, 18, 25, 26, 27, 28};
  EXPECT_EQ(gather_one(picture(mean), s, PadMode::reflect), want);
}

TEST(Augment, TheMeanImageIsSubtractedAtTheOutputPosition) {
  // Mean image m(y, x) = x: not symmetric, so flipping before or after the
  // subtraction differs. The augmented picture is normalised as evaluation
  // normalises a picture: out(y, x) = img(y, 3 - x) - m(y, x) = 10 y + 3 - 2 x.
  Tensor mean({1, 4, 4}, DType::f32);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) mean.data<float>()[y * 4 + x] = static_cast<float>(x);
  const std::vector<double> flipped = {3, 1, -1, -3, 13, 11, 9, 7, 23, 21, 19, 17, 33, 31, 29, 27};
  EXPECT_EQ(gather_one(picture(mean), shift(0, 0, 1), PadMode::reflect), flipped);
  // A shift: out(y, x) = img(reflect(y + 1), x) - x.
  const std::vector<double> down = {10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30, 20, 20, 20, 20};
  EXPECT_EQ(gather_one(picture(mean), shift(1, 0), PadMode::reflect), down);
}

TEST(Augment, CutoutDrawClipsTheSquareAtTheBorders) {
  AugmentConfig cfg;
  cfg.cutout = 8;
  std::set<int> widths;
  for (int t = 0; t < 400; ++t) {
    const AugmentSample s = draw_augment_sample(cfg, 5, t, 0, 0, 0, 32, 32);
    EXPECT_GE(s.cut_y0, 0);
    EXPECT_LE(s.cut_y1, 32);
    EXPECT_GE(s.cut_x0, 0);
    EXPECT_LE(s.cut_x1, 32);
    EXPECT_LE(s.cut_y1 - s.cut_y0, 8);
    EXPECT_LE(s.cut_x1 - s.cut_x0, 8);
    EXPECT_EQ(s.dy, 0);
    EXPECT_EQ(s.flip, 0);
    widths.insert(s.cut_x1 - s.cut_x0);
  }
  EXPECT_TRUE(widths.count(8) && widths.size() > 1) << "full squares inside, clipped ones at the borders";
}

TEST(Augment, MeanStdNormalisesPerChannel) {
  // Two channels: mean (1, 2), std (2, 4); sample 0 is all 3 in channel 0, all 10 in channel 1.
  Tensor img({1, 2, 2, 2}, DType::u8);
  for (int k = 0; k < 8; ++k) img.data<uint8_t>()[k] = k < 4 ? 3 : 10;
  const Dataset d(img, Tensor::from_vector({0}, {1}, DType::i32), Tensor(),
                  Tensor::from_vector({1, 2}, {2}, DType::f32), Tensor::from_vector({2, 4}, {2}, DType::f32));
  const std::vector<double> want = {1, 1, 1, 1, 2, 2, 2, 2};
  EXPECT_EQ(d.gather(std::vector<int64_t>{0}).X.to_vector(), want);  // val/test: normalised, not augmented
}

TEST(Augment, ChannelMeanStdIsThePopulationStatisticOfTheFirstImages) {
  // Channel 0 of images 0 and 1: {0, 2, 4, 6} and {8, 10, 12, 14}: mean 7, var 21.
  // Channel 1: all 9: std 0 counts as 1. Image 2 is not counted.
  Tensor img({3, 2, 2, 2}, DType::u8);
  uint8_t* p = img.data<uint8_t>();
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 4; ++k) {
      p[(i * 2 + 0) * 4 + k] = static_cast<uint8_t>(i == 2 ? 200 : 8 * i + 2 * k);
      p[(i * 2 + 1) * 4 + k] = i == 2 ? 1 : 9;
    }
  Tensor m, s;
  channel_mean_std(img, 2, m, s);
  EXPECT_FLOAT_EQ(m.item(0), 7.0f);
  EXPECT_FLOAT_EQ(s.item(0), static_cast<float>(std::sqrt(21.0)));
  EXPECT_FLOAT_EQ(m.item(1), 9.0f);
  EXPECT_FLOAT_EQ(s.item(1), 1.0f);
}

TEST(Augment, RealCifar10MeanStdMakesChannelsZeroMeanUnitStd) {
  std::string why;
  const std::string dir = test::cifar10_bin_dir(&why);
  if (dir.empty()) GTEST_SKIP() << why;
  Cifar10Options o;
  o.num_training = 5000;
  o.num_validation = 10;
  o.num_test = 0;
  o.mean_std = true;
  const Cifar10Data d = get_cifar10_data(dir, o);
  // CIFAR-10's well-known channel statistics (0..255): mean (125.3, 123.0, 113.9), std (63.0, 62.1, 66.7);
  // the datasets folder's JPEG re-encoding and the 5,000-image subset move them a little.
  const double mean[3] = {125.3, 123.0, 113.9}, sd[3] = {63.0, 62.1, 66.7};
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(d.channel_mean.item(c), mean[c], 3.0) << "channel " << c;
    EXPECT_NEAR(d.channel_std.item(c), sd[c], 3.0) << "channel " << c;
  }
  EXPECT_FALSE(d.train.mean().defined());
  // The normalised training split: per channel mean 0, std 1.
  const Batch b = d.train.range(0, 5000);
  const float* x = b.X.data<float>();
  for (int c = 0; c < 3; ++c) {
    double s = 0, q = 0;
    for (int64_t i = 0; i < 5000; ++i)
      for (int k = 0; k < 1024; ++k) {
        const double v = x[(i * 3 + c) * 1024 + k];
        s += v;
        q += v * v;
      }
    const double n = 5000.0 * 1024, m = s / n;
    EXPECT_NEAR(m, 0.0, 1e-4) << "channel " << c;
    EXPECT_NEAR(std::sqrt(q / n - m * m), 1.0, 1e-4) << "channel " << c;
  }
}

TEST(Augment, DatasetRefusesContradictoryNormalisations) {
  Tensor mean = Tensor::full({1, 4, 4}, 5.0, DType::f32);
  EXPECT_ERROR_CONTAINS(
      picture(mean, Tensor::from_vector({1}, {1}, DType::f32), Tensor::from_vector({1}, {1}, DType::f32)),
      "exclude each other");
  EXPECT_ERROR_CONTAINS(picture(Tensor(), Tensor::from_vector({1}, {1}, DType::f32)), "go together");
  EXPECT_ERROR_CONTAINS(
      picture(Tensor(), Tensor::from_vector({1, 2}, {2}, DType::f32), Tensor::from_vector({1, 2}, {2}, DType::f32)),
      "shape (1,)");
  EXPECT_ERROR_CONTAINS(picture().gather({0}, {}, PadMode::zero), "augmentation parameter sets");
  EXPECT_ERROR_CONTAINS(picture().gather({3}, {AugmentSample()}, PadMode::zero), "out of range");
}

TEST(Augment, TranslationAndFlipDrawsAreUniform) {
  // 40,000 draws of r = 2 (25 offsets) and of the flip: a chi-square statistic
  // far above its degrees of freedom (24, resp. 1) means a biased generator.
  AugmentConfig cfg;
  cfg.translate = 2;
  cfg.flip = FlipMode::random;
  std::vector<int64_t> offsets(25, 0), flips(2, 0);
  const int iterations = 400, batch = 100;
  for (int t = 0; t < iterations; ++t)
    for (int b = 0; b < batch; ++b) {
      const AugmentSample s = draw_augment_sample(cfg, 231, t, 0, b, b, 32, 32);
      ASSERT_TRUE(s.dy >= -2 && s.dy <= 2 && s.dx >= -2 && s.dx <= 2) << s.dy << " " << s.dx;
      ++offsets[static_cast<std::size_t>((s.dy + 2) * 5 + s.dx + 2)];
      ++flips[static_cast<std::size_t>(s.flip)];
    }
  auto chi2 = [](const std::vector<int64_t>& counts, double expected) {
    double c = 0;
    for (int64_t n : counts) c += (n - expected) * (n - expected) / expected;
    return c;
  };
  const double n = iterations * batch;
  // p < 1e-4 bounds: chi2(24) < 60, chi2(1) < 16.
  EXPECT_LT(chi2(offsets, n / 25), 60.0);
  EXPECT_LT(chi2(flips, n / 2), 16.0);
  for (int64_t c : offsets) EXPECT_GT(c, 0);
}

TEST(Augment, AlternatingFlipFlipsEachImageInExactlyOneOfTwoConsecutiveEpochs) {
  AugmentConfig cfg;
  cfg.flip = FlipMode::alternating;
  int64_t flipped0 = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    for (int epoch = 0; epoch < 4; ++epoch) {
      // The flip depends on the image and the epoch, not on the iteration or position.
      const int a = draw_augment_sample(cfg, 7, 3 * epoch, epoch, i % 5, i, 32, 32).flip;
      const int b = draw_augment_sample(cfg, 7, 3 * epoch + 1, epoch + 1, 0, i, 32, 32).flip;
      EXPECT_EQ(a + b, 1) << "image " << i << " epoch " << epoch;
      EXPECT_EQ(a, draw_augment_sample(cfg, 7, 99, epoch, 42, i, 32, 32).flip);
    }
    flipped0 += draw_augment_sample(cfg, 7, 0, 0, 0, i, 32, 32).flip;
  }
  EXPECT_NEAR(static_cast<double>(flipped0) / n, 0.5, 0.05) << "epoch 0 flips a random half";
}

TEST(Augment, DrawsDependOnlyOnSeedIterationAndPosition) {
  AugmentConfig cfg;
  cfg.translate = 4;
  cfg.flip = FlipMode::random;
  cfg.cutout = 6;
  const std::vector<int64_t> idx = {3, 1, 4, 1, 5, 9, 2, 6};
  auto key = [](const std::vector<AugmentSample>& v) {
    std::vector<int32_t> k(v.size() * kAugmentSampleInts);
    std::memcpy(k.data(), v.data(), v.size() * sizeof(AugmentSample));
    return k;
  };
  const auto a = key(draw_augment(cfg, 1, 10, 0, idx, 32, 32));
  EXPECT_EQ(a, key(draw_augment(cfg, 1, 10, 0, idx, 32, 32)));
  EXPECT_NE(a, key(draw_augment(cfg, 2, 10, 0, idx, 32, 32)));
  EXPECT_NE(a, key(draw_augment(cfg, 1, 11, 0, idx, 32, 32)));
}

TEST(Augment, EpochPermutationIsReproducibleAndDiffersAcrossEpochsAndSeeds) {
  const auto p = epoch_permutation(231, 3, 1000);
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(p, epoch_permutation(231, 3, 1000));
  EXPECT_NE(p, epoch_permutation(231, 4, 1000));
  EXPECT_NE(p, epoch_permutation(232, 3, 1000));
  // Position 0 is uniform over the images: over 2,000 epochs each of 10 images comes first ~200 times.
  std::vector<int64_t> first(10, 0);
  for (int e = 0; e < 2000; ++e) ++first[static_cast<std::size_t>(epoch_permutation(5, e, 10)[0])];
  double c = 0;
  for (int64_t n : first) c += (n - 200.0) * (n - 200.0) / 200.0;
  EXPECT_LT(c, 33.0);  // chi2(9), p < 1e-4
}

TEST(Augment, CheckAugmentFitsNamesTheProblem) {
  AugmentConfig cfg;
  cfg.translate = 4;
  EXPECT_ERROR_CONTAINS(check_augment_fits(cfg, {2}, "data.augment"), "image samples (C, H, W)");
  EXPECT_ERROR_CONTAINS(check_augment_fits(cfg, {1, 4, 4}, "data.augment"), "smaller than the image");
  cfg.pad_mode = PadMode::zero;
  check_augment_fits(cfg, {1, 4, 4}, "data.augment");  // zero padding may pad more than the image
  AugmentConfig none;
  check_augment_fits(none, {2}, "data.augment");  // nothing to apply
}

// ---------------------------------------------------------------------------
// The loader thread.

TEST(PrefetchLoader, ReturnsTheJobsBatchAndRethrowsItsException) {
  PrefetchLoader loader;
  EXPECT_FALSE(loader.pending());
  const Dataset d = picture();
  loader.submit([&] { return d.gather({0}, {shift(0, 0, 1)}, PadMode::zero); });
  EXPECT_TRUE(loader.pending());
  EXPECT_EQ(loader.take().X.item(0), 3.0);
  EXPECT_ERROR_CONTAINS(loader.take(), "no batch was submitted");
  loader.submit([]() -> Batch { throw std::runtime_error("disk on fire"); });
  EXPECT_THROW(
      {
        try {
          loader.take();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "disk on fire");
          throw;
        }
      },
      std::runtime_error);
  loader.submit([&] { return d.gather({0}, {shift(0, 0)}, PadMode::zero); });  // usable after an error
  EXPECT_EQ(loader.take().X.item(1), 1.0);
}

TEST(PrefetchLoader, DestroyingWithAJobInFlightDoesNotHang) {
  for (int i = 0; i < 20; ++i) {
    PrefetchLoader loader;
    loader.submit([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return Batch{};
    });
    EXPECT_ERROR_CONTAINS(loader.submit([] { return Batch{}; }), "was not taken");
  }                     // destroyed while the job runs or waits
  PrefetchLoader idle;  // and with nothing submitted
}

// ---------------------------------------------------------------------------
// The Solver's batches.

namespace {

// Records each batch's X as well as its labels.
class RecordingModel : public test::QuadraticModel {
 public:
  RecordingModel() : QuadraticModel({1.0, -2.0}) {}
  Tensor loss(const Tensor& X, const Tensor& y) override {
    xs.push_back(X.to_vector());
    return QuadraticModel::loss(X, y);
  }
  std::vector<std::vector<double>> xs;
};

// n random 3 x 8 x 8 uint8 images, label i for image i (so batches show their indices).
Dataset index_images(int64_t n, uint32_t seed = 1) {
  NumpyRandom rng(seed);
  Tensor img({n, 3, 8, 8}, DType::u8);
  for (int64_t k = 0; k < img.numel(); ++k) img.data<uint8_t>()[k] = static_cast<uint8_t>(rng.randint(0, 256));
  std::vector<double> labels(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) labels[static_cast<std::size_t>(i)] = static_cast<double>(i);
  Tensor mean = Tensor::full({3, 8, 8}, 100.0, DType::f32);
  return Dataset(img, Tensor::from_vector(labels, {n}, DType::i32), mean);
}

SolverOptions pipeline_options(Sampling sampling, bool prefetch, uint32_t seed = 231) {
  SolverOptions so;
  so.sampling = sampling;
  so.prefetch = prefetch;
  so.seed = seed;
  so.batch_size = 10;
  so.num_epochs = 3;
  so.verbose = false;
  so.num_train_samples = 7;  // the checks draw from the generator too
  so.augment.translate = 2;
  so.augment.flip = FlipMode::random;
  so.augment.cutout = 3;
  return so;
}

struct Recorded {
  std::vector<std::vector<double>> xs, ys;
};

Recorded run_recording(const Dataset& train, const SolverOptions& so, uint32_t rng_seed = 231) {
  RecordingModel model;
  NumpyRandom rng(rng_seed);
  std::ostringstream out;
  Solver solver(model, train, index_images(5, 9), so, rng, out);
  EXPECT_TRUE(solver.train());
  return {model.xs, model.batches};
}

}  // namespace

TEST(SolverSampling, EpochSamplingVisitsEveryImageOncePerEpoch) {
  const Dataset train = index_images(40);
  const Recorded r = run_recording(train, pipeline_options(Sampling::epoch, true));
  ASSERT_EQ(r.ys.size(), 12u);  // 40 / 10 = 4 batches per epoch
  std::vector<std::vector<double>> epochs;
  for (int e = 0; e < 3; ++e) {
    std::vector<double> seen;
    for (int k = 0; k < 4; ++k) seen.insert(seen.end(), r.ys[e * 4 + k].begin(), r.ys[e * 4 + k].end());
    epochs.push_back(seen);
    std::sort(seen.begin(), seen.end());
    for (int i = 0; i < 40; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], i) << "epoch " << e;
  }
  EXPECT_NE(epochs[0], epochs[1]) << "a new order each epoch";
  // 45 images: 4 batches per epoch, the last 5 of each permutation unused, none twice.
  const Recorded r45 = run_recording(index_images(45), pipeline_options(Sampling::epoch, false));
  ASSERT_EQ(r45.ys.size(), 12u);
  for (int e = 0; e < 3; ++e) {
    std::set<double> seen;
    for (int k = 0; k < 4; ++k) seen.insert(r45.ys[e * 4 + k].begin(), r45.ys[e * 4 + k].end());
    EXPECT_EQ(seen.size(), 40u);
  }
}

TEST(SolverSampling, EpochSamplingNeedsABatchOfImages) {
  RecordingModel model;
  NumpyRandom rng(1);
  std::ostringstream out;
  SolverOptions so = pipeline_options(Sampling::epoch, true);
  so.batch_size = 50;
  EXPECT_ERROR_CONTAINS(Solver(model, index_images(40), index_images(5), so, rng, out),
                        "needs at least solver.batch_size (50) training images");
  SolverOptions bad = pipeline_options(Sampling::random, true);
  bad.augment.translate = 8;  // reflect padding needs r < 8 on 8 x 8 images
  EXPECT_ERROR_CONTAINS(Solver(model, index_images(40), index_images(5), bad, rng, out), "smaller than the image");
}

TEST(SolverSampling, SameSeedSameBatchesOtherSeedOtherBatches) {
  const Dataset train = index_images(40);
  for (Sampling s : {Sampling::random, Sampling::epoch}) {
    const Recorded a = run_recording(train, pipeline_options(s, true));
    const Recorded b = run_recording(train, pipeline_options(s, true));
    EXPECT_EQ(a.xs, b.xs) << sampling_name(s);
    EXPECT_EQ(a.ys, b.ys) << sampling_name(s);
    // Another seed: other augmentation (and, for "epoch", other permutations).
    const Recorded c = run_recording(train, pipeline_options(s, true, 232), s == Sampling::epoch ? 231 : 232);
    EXPECT_NE(a.xs, c.xs) << sampling_name(s);
    EXPECT_NE(a.ys, c.ys) << sampling_name(s);
  }
}

TEST(SolverSampling, PrefetchGivesTheSameBatchesAsWithout) {
  const Dataset train = index_images(40);
  for (Sampling s : {Sampling::random, Sampling::epoch}) {
    const Recorded on = run_recording(train, pipeline_options(s, true));
    const Recorded off = run_recording(train, pipeline_options(s, false));
    EXPECT_EQ(on.xs, off.xs) << sampling_name(s);
    EXPECT_EQ(on.ys, off.ys) << sampling_name(s);
  }
}

TEST(SolverSampling, NoAugmentationAndRandomSamplingDrawTodaysBatches) {
  // The cs231n draws: batch t is batch_size randint(0, N) from the run's
  // generator, with check_metric's draws in between, prefetch or not.
  const Dataset train = index_images(40);
  for (bool prefetch : {true, false}) {
    SolverOptions so = pipeline_options(Sampling::random, prefetch);
    so.augment = AugmentConfig();
    const Recorded r = run_recording(train, so);
    NumpyRandom rng(231);
    std::size_t t = 0;
    for (int e = 0; e < 3; ++e)
      for (int k = 0; k < 4; ++k, ++t) {
        for (double label : r.ys[t]) EXPECT_EQ(label, static_cast<double>(rng.randint(0, 40))) << "iteration " << t;
        // The check after iteration 0 and after each epoch: 7 train samples; val (5 images) is used whole.
        if (t == 0 || k == 3)
          for (int i = 0; i < 7; ++i) rng.randint(0, 40);
      }
    // The batch is the plain mean-subtracted gather.
    EXPECT_EQ(r.xs[0], train.gather(std::vector<int64_t>(r.ys[0].begin(), r.ys[0].end())).X.to_vector());
  }
}

TEST(SolverSampling, StoppingEarlyWithABatchInFlightEndsCleanly) {
  // A NaN loss at step 3 stops training while the loader holds batch 4; the
  // Solver drops it and its thread ends with the Solver (no hang).
  for (Sampling s : {Sampling::random, Sampling::epoch}) {
    RecordingModel model;
    model.nan_at_call = 3;
    NumpyRandom rng(231);
    std::ostringstream out;
    {
      SolverOptions so = pipeline_options(s, true);
      so.verbose = true;  // print (and so check the loss) every iteration
      so.print_every = 1;
      Solver solver(model, index_images(40), index_images(5, 9), so, rng, out);
      EXPECT_FALSE(solver.train());
      EXPECT_NE(solver.stop_reason().find("loss is nan at iteration 3"), std::string::npos) << solver.stop_reason();
    }
    EXPECT_EQ(model.calls, 3) << sampling_name(s);
  }
}

TEST(SolverSampling, ResumeWithEpochSamplingReproducesTheBatches) {
  const Dataset train = index_images(40);
  const SolverOptions so = pipeline_options(Sampling::epoch, true);
  const Recorded full = run_recording(train, so);
  RecordingModel model;
  NumpyRandom rng(231 + 1);  // --resume re-seeds the generator with seed + epoch
  std::ostringstream out;
  Solver solver(model, train, index_images(5, 9), so, rng, out);
  History h;
  h.metric = model.metric();
  h.loss_history.assign(4, 1.0);
  solver.resume(1, h, 0.5, 0, {}, {});
  ASSERT_TRUE(solver.train());
  ASSERT_EQ(model.batches.size(), 8u);
  for (std::size_t t = 0; t < 8; ++t) {
    EXPECT_EQ(model.batches[t], full.ys[t + 4]) << "iteration " << t + 4;
    EXPECT_EQ(model.xs[t], full.xs[t + 4]) << "iteration " << t + 4;
  }
}

TEST(SolverSampling, PrefetchGivesTheSameTrainingLosses) {
  // A real model on augmented images: the losses, accuracies and weights are the same with and without the thread.
  auto train_once = [](bool prefetch, Sampling s) {
    NumpyRandom rng(3);
    FullyConnectedNetOptions o;
    o.hidden_dims = {20};
    o.input_dim = 3 * 8 * 8;
    o.num_classes = 40;
    o.weight_scale = 1e-2;
    auto model = make_fc_net(o, rng);
    SolverOptions so = pipeline_options(s, prefetch);
    so.optim.rule = UpdateRule::adam;
    so.optim.learning_rate = 1e-3;
    std::ostringstream out;
    Solver solver(*model, index_images(40), index_images(40), so, rng, out);
    EXPECT_TRUE(solver.train());
    return std::make_pair(solver.history().loss_history, solver.history().val_metric);
  };
  for (Sampling s : {Sampling::random, Sampling::epoch}) {
    const auto on = train_once(true, s), off = train_once(false, s);
    EXPECT_EQ(on.first, off.first) << sampling_name(s);
    EXPECT_EQ(on.second, off.second) << sampling_name(s);
    EXPECT_EQ(on.first.size(), 12u);
  }
}

// ---------------------------------------------------------------------------
// The config keys.

namespace {
config::RunConfig parse_with(const nlohmann::json& data, const nlohmann::json& solver = nlohmann::json::object()) {
  return config::parse_run_config({{"data", data}, {"model", {{"type", "three_layer_convnet"}}}, {"solver", solver}});
}
}  // namespace

TEST(AugmentConfig, DefaultsKeepTodaysPipeline) {
  const auto c = parse_with(nlohmann::json::object());
  EXPECT_EQ(c.data.normalize, "mean");
  EXPECT_TRUE(c.data.subtract_mean);
  EXPECT_FALSE(c.data.augment.enabled());
  EXPECT_TRUE(c.data.prefetch);
  EXPECT_EQ(c.solver.sampling, "random");
  EXPECT_EQ(c.resolved["data"]["augment"]["pad_mode"], "reflect");
  EXPECT_EQ(c.resolved["solver"]["sampling"], "random");
  // The resolved config parses back to the same settings (what --resume reads).
  const auto again = config::parse_run_config(c.resolved);
  EXPECT_EQ(again.data.normalize, "mean");
}

TEST(AugmentConfig, ReadsEveryKey) {
  const auto c =
      parse_with({{"normalize", "mean_std"},
                  {"augment", {{"translate", 4}, {"pad_mode", "zero"}, {"flip", "alternating"}, {"cutout", 12}}},
                  {"prefetch", false}},
                 {{"sampling", "epoch"}});
  EXPECT_EQ(c.data.normalize, "mean_std");
  EXPECT_TRUE(c.data.subtract_mean);
  EXPECT_EQ(c.data.augment.translate, 4);
  EXPECT_EQ(c.data.augment.pad_mode, PadMode::zero);
  EXPECT_EQ(c.data.augment.flip, FlipMode::alternating);
  EXPECT_EQ(c.data.augment.cutout, 12);
  EXPECT_FALSE(c.data.prefetch);
  EXPECT_EQ(c.solver.sampling, "epoch");
  const auto again = config::parse_run_config(c.resolved);
  EXPECT_EQ(again.data.augment.flip, FlipMode::alternating);
  EXPECT_EQ(again.data.normalize, "mean_std");
  // subtract_mean false alone is "none".
  EXPECT_EQ(parse_with({{"subtract_mean", false}}).data.normalize, "none");
  EXPECT_FALSE(parse_with({{"normalize", "none"}}).data.subtract_mean);
}

TEST(AugmentConfig, BadValuesNameTheKey) {
  EXPECT_ERROR_CONTAINS(parse_with({{"augment", {{"pad_mode", "wrap"}}}}), "data.augment.pad_mode");
  EXPECT_ERROR_CONTAINS(parse_with({{"augment", {{"translate", -1}}}}), "data.augment.translate");
  EXPECT_ERROR_CONTAINS(parse_with({{"augment", {{"translate", 2.5}}}}), "data.augment.translate");
  EXPECT_ERROR_CONTAINS(parse_with({{"augment", {{"flip", true}}}}), "data.augment.flip");
  EXPECT_ERROR_CONTAINS(parse_with({{"augment", {{"cutout", 33}}}}), "data.augment.cutout");
  EXPECT_ERROR_CONTAINS(parse_with({{"augment", {{"flips", "random"}}}}), "did you mean flip");
  EXPECT_ERROR_CONTAINS(parse_with({{"augment", "yes"}}), "data.augment");
  EXPECT_ERROR_CONTAINS(parse_with({{"normalize", "std"}}), "data.normalize");
  EXPECT_ERROR_CONTAINS(parse_with({{"prefetch", "yes"}}), "data.prefetch");
  EXPECT_ERROR_CONTAINS(parse_with({{"subtract_mean", false}, {"normalize", "mean_std"}}), "contradicts");
  EXPECT_ERROR_CONTAINS(parse_with({{"subtract_mean", true}, {"normalize", "none"}}), "contradicts");
  EXPECT_ERROR_CONTAINS(parse_with(nlohmann::json::object(), {{"sampling", "shuffle"}}), "solver.sampling");
  // Consistent pairs are fine.
  EXPECT_EQ(parse_with({{"subtract_mean", true}, {"normalize", "mean_std"}}).data.normalize, "mean_std");
}

// ---------------------------------------------------------------------------
// The GPU kernel against the CPU path (a GPU or the CUDA emulator).

TEST(AugmentGpu, KernelMatchesTheCpuPathBitForBit) {
  CONVLAB_REQUIRE_GPU();
  const test::PoisonScope poison;  // fresh device memory is NaN: an element the kernel misses shows
  // 6 images 3 x 9 x 7 (not square, odd sizes), uint8 and float32 sources.
  NumpyRandom rng(11);
  Tensor img({6, 3, 9, 7}, DType::u8);
  for (int64_t k = 0; k < img.numel(); ++k) img.data<uint8_t>()[k] = static_cast<uint8_t>(rng.randint(0, 256));
  Tensor imgf({6, 3, 9, 7}, DType::f32);
  for (int64_t k = 0; k < img.numel(); ++k) imgf.data<float>()[k] = static_cast<float>(rng.randn() * 50.0);
  const Tensor labels = Tensor::from_vector({0, 1, 2, 3, 4, 5}, {6}, DType::i32);
  Tensor mean({3, 9, 7}, DType::f32);
  for (int64_t k = 0; k < mean.numel(); ++k) mean.data<float>()[k] = static_cast<float>(rng.uniform(0, 255));
  const Tensor cmean = Tensor::from_vector({125.3, 122.9, 113.8}, {3}, DType::f32);
  const Tensor cstd = Tensor::from_vector({62.99, 62.08, 66.7}, {3}, DType::f32);
  const std::vector<Dataset> sets = {Dataset(img, labels, Tensor()), Dataset(img, labels, mean),
                                     Dataset(img, labels, Tensor(), cmean, cstd), Dataset(imgf, labels, mean)};
  const std::vector<int64_t> idx = {5, 0, 3, 3, 1, 4, 2, 0};
  AugmentConfig cfg;
  cfg.translate = 3;
  cfg.flip = FlipMode::random;
  cfg.cutout = 4;
  for (const Dataset& cpu : sets) {
    const Dataset gpu = cpu.to(Device::cuda);
    for (PadMode pad : {PadMode::reflect, PadMode::zero})
      for (int64_t t = 0; t < 3; ++t) {
        const auto params = draw_augment(cfg, 99, t, 0, idx, 9, 7);
        const Batch want = cpu.gather(idx, params, pad), got = gpu.gather(idx, params, pad);
        const std::vector<double> w = want.X.to_vector(), g = got.X.to(Device::cpu).to_vector();
        ASSERT_EQ(w.size(), g.size());
        for (std::size_t k = 0; k < w.size(); ++k)
          ASSERT_EQ(w[k], g[k]) << "element " << k << " pad " << pad_mode_name(pad) << " t " << t;
        EXPECT_EQ(got.y.to(Device::cpu).to_vector(), want.y.to_vector());
      }
    // Without augmentation (val/test with a per-channel normalisation).
    EXPECT_EQ(gpu.gather(idx).X.to(Device::cpu).to_vector(), cpu.gather(idx).X.to_vector());
  }
}

namespace {
// RecordingModel whose data live on the GPU: the Solver gathers and augments there.
class GpuRecordingModel : public RecordingModel {
 public:
  Tensor loss(const Tensor& X, const Tensor& y) override {
    EXPECT_EQ(X.device(), Device::cuda);
    return RecordingModel::loss(X.to(Device::cpu), y.to(Device::cpu));
  }
  Device device() const override { return Device::cuda; }
};
}  // namespace

TEST(AugmentGpu, SolverOnTheGpuTrainsOnTheCpusBatches) {
  CONVLAB_REQUIRE_GPU();
  const Dataset train = index_images(40), val = index_images(5, 9);
  for (Sampling s : {Sampling::random, Sampling::epoch}) {
    SolverOptions so = pipeline_options(s, true);
    so.augment.pad_mode = PadMode::zero;
    so.augment.flip = FlipMode::alternating;
    const Recorded cpu = run_recording(train, so);
    GpuRecordingModel model;
    NumpyRandom rng(231);
    std::ostringstream out;
    Solver solver(model, train.to(Device::cuda), val.to(Device::cuda), so, rng, out);
    ASSERT_TRUE(solver.train());
    EXPECT_EQ(model.xs, cpu.xs) << sampling_name(s);
    EXPECT_EQ(model.batches, cpu.ys) << sampling_name(s);
  }
}
