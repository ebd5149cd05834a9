#include "host/data/augment.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "host/error.h"
#include "host/random/counter_rng.h"

namespace convlab {

namespace {
// Independent streams of the counter-based draws.
enum Stream : uint64_t {
  kShiftY = 1,
  kShiftX = 2,
  kFlip = 3,
  kCutY = 4,
  kCutX = 5,
  kAlternatingBase = 6,
  kPermutation = 7,
};

uint64_t counter_bits(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b) {
  uint64_t h = splitmix64(seed ^ (stream * 0x9e3779b97f4a7c15ULL));
  h = splitmix64(h ^ (a * 0xd1b54a32d192ed03ULL));
  return splitmix64(h ^ (b * 0xabc98388fb8fac03ULL));
}
}  // namespace

PadMode parse_pad_mode(const std::string& name) {
  if (name == "reflect") return PadMode::reflect;
  if (name == "zero") return PadMode::zero;
  throw Error("pad_mode: expected \"reflect\" or \"zero\", got \"" + name + "\"");
}

FlipMode parse_flip_mode(const std::string& name) {
  if (name == "none") return FlipMode::none;
  if (name == "random") return FlipMode::random;
  if (name == "alternating") return FlipMode::alternating;
  throw Error("flip: expected \"none\", \"random\" or \"alternating\", got \"" + name + "\"");
}

const char* pad_mode_name(PadMode m) { return m == PadMode::reflect ? "reflect" : "zero"; }

const char* flip_mode_name(FlipMode m) {
  switch (m) {
    case FlipMode::none:
      return "none";
    case FlipMode::random:
      return "random";
    case FlipMode::alternating:
      return "alternating";
  }
  return "none";
}

uint64_t counter_below(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b, uint64_t n) {
  // Multiply-shift of the top 32 bits: bias at most n / 2^32 (1e-5 for 50,000).
  return ((counter_bits(seed, stream, a, b) >> 32) * n) >> 32;
}

int alternating_flip_base(uint64_t seed, int64_t image_index) {
  return static_cast<int>(counter_below(seed, kAlternatingBase, 0, static_cast<uint64_t>(image_index), 2));
}

AugmentSample draw_augment_sample(const AugmentConfig& cfg, uint64_t seed, int64_t iteration, int64_t epoch,
                                  int64_t position, int64_t image_index, int H, int W) {
  AugmentSample s;
  const auto t = static_cast<uint64_t>(iteration);
  const auto p = static_cast<uint64_t>(position);
  if (cfg.translate > 0) {
    const uint64_t span = 2 * static_cast<uint64_t>(cfg.translate) + 1;
    s.dy = static_cast<int32_t>(counter_below(seed, kShiftY, t, p, span)) - cfg.translate;
    s.dx = static_cast<int32_t>(counter_below(seed, kShiftX, t, p, span)) - cfg.translate;
  }
  if (cfg.flip == FlipMode::random) s.flip = static_cast<int32_t>(counter_below(seed, kFlip, t, p, 2));
  if (cfg.flip == FlipMode::alternating)
    s.flip = static_cast<int32_t>((alternating_flip_base(seed, image_index) + epoch) % 2);
  if (cfg.cutout > 0) {
    // Centre uniform over the image; the square is clipped at the borders.
    const int cy = static_cast<int>(counter_below(seed, kCutY, t, p, static_cast<uint64_t>(H)));
    const int cx = static_cast<int>(counter_below(seed, kCutX, t, p, static_cast<uint64_t>(W)));
    const int y0 = cy - cfg.cutout / 2, x0 = cx - cfg.cutout / 2;
    s.cut_y0 = std::max(0, y0);
    s.cut_y1 = std::min(H, y0 + cfg.cutout);
    s.cut_x0 = std::max(0, x0);
    s.cut_x1 = std::min(W, x0 + cfg.cutout);
  }
  return s;
}

std::vector<AugmentSample> draw_augment(const AugmentConfig& cfg, uint64_t seed, int64_t iteration, int64_t epoch,
                                        const std::vector<int64_t>& indices, int H, int W) {
  std::vector<AugmentSample> out(indices.size());
  for (std::size_t b = 0; b < indices.size(); ++b)
    out[b] = draw_augment_sample(cfg, seed, iteration, epoch, static_cast<int64_t>(b), indices[b], H, W);
  return out;
}

std::vector<int64_t> epoch_permutation(uint64_t seed, int64_t epoch, int64_t n) {
  std::vector<int64_t> perm(static_cast<std::size_t>(std::max<int64_t>(n, 0)));
  for (int64_t i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
  // Fisher-Yates from the top; the swap partner of slot i is a draw keyed by (seed, epoch, i).
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(counter_below(seed, kPermutation, static_cast<uint64_t>(epoch),
                                                      static_cast<uint64_t>(i), static_cast<uint64_t>(i) + 1));
    std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
  }
  return perm;
}

void check_augment_fits(const AugmentConfig& cfg, const Shape& sample_shape, const std::string& what) {
  if (!cfg.enabled()) return;
  CONVLAB_CHECK(sample_shape.size() == 3, what << ": augmentation needs image samples (C, H, W), got samples of shape "
                                               << shape_str(sample_shape));
  const int64_t H = sample_shape[1], W = sample_shape[2];
  CONVLAB_CHECK(cfg.pad_mode != PadMode::reflect || (cfg.translate < H && cfg.translate < W),
                what << ": translate " << cfg.translate << " with reflect padding must be smaller than the image (" << H
                     << " x " << W << ")");
  CONVLAB_CHECK(cfg.cutout <= std::max(H, W),
                what << ": cutout " << cfg.cutout << " is larger than the image (" << H << " x " << W << ")");
}

void augment_gather_cpu(const Tensor& src, const NormalizeParams& norm, const std::vector<int64_t>& indices,
                        const std::vector<AugmentSample>& params, bool reflect, Tensor& out) {
  CONVLAB_CHECK(src.ndim() == 4, "augment_gather_cpu: images must be (N, C, H, W), got " << shape_str(src.shape()));
  CONVLAB_CHECK(params.empty() || params.size() == indices.size(),
                "augment_gather_cpu: " << params.size() << " parameter sets for " << indices.size() << " samples");
  const int C = static_cast<int>(src.dim(1)), H = static_cast<int>(src.dim(2)), W = static_cast<int>(src.dim(3));
  const int64_t D = static_cast<int64_t>(C) * H * W;
  const AugmentSample identity;
  float* po = out.data<float>();
  auto run = [&](const auto* base) {
    for (std::size_t b = 0; b < indices.size(); ++b) {
      const auto* image = base + indices[b] * D;
      const AugmentSample& s = params.empty() ? identity : params[b];
      float* o = po + static_cast<int64_t>(b) * D;
      for (int c = 0; c < C; ++c)
        for (int y = 0; y < H; ++y)
          for (int x = 0; x < W; ++x)
            o[(static_cast<int64_t>(c) * H + y) * W + x] = augmented_element(image, C, H, W, c, y, x, s, reflect, norm);
    }
  };
  if (src.dtype() == DType::u8)
    run(src.data<uint8_t>());
  else
    run(src.data<float>());
}

void channel_mean_std(const Tensor& images, int64_t n, Tensor& mean, Tensor& std) {
  CONVLAB_CHECK(images.dtype() == DType::u8 && images.ndim() >= 2 && n >= 1 && n <= images.dim(0),
                "channel_mean_std: expected uint8 images (N, C, ...) and 1 <= n <= N");
  const int64_t C = images.dim(1);
  const int64_t plane = images.numel() / (images.dim(0) * C);
  mean = Tensor({C}, DType::f32);
  std = Tensor({C}, DType::f32);
  const uint8_t* px = images.data<uint8_t>();
  for (int64_t c = 0; c < C; ++c) {
    // Exact integer sums, then mean and population variance in double.
    uint64_t s = 0, q = 0;
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t* p = px + (i * C + c) * plane;
      for (int64_t k = 0; k < plane; ++k) {
        s += p[k];
        q += static_cast<uint64_t>(p[k]) * p[k];
      }
    }
    const double count = static_cast<double>(n * plane);
    const double m = static_cast<double>(s) / count;
    const double var = std::max(0.0, static_cast<double>(q) / count - m * m);
    mean.data<float>()[c] = static_cast<float>(m);
    // A constant channel would divide by zero: its std counts as 1.
    std.data<float>()[c] = var > 0 ? static_cast<float>(std::sqrt(var)) : 1.0f;
  }
}

}  // namespace convlab
