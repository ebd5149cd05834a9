// Training-data augmentation and epoch sampling, reproducible from the seed.
//
// Every random choice is a counter-based draw (host/random/counter_rng.h's
// splitmix64) keyed by (seed, stream, iteration or epoch, sample position or
// image index), so the same parameters come out on any thread, in any order,
// on the CPU or for the GPU, and after --resume:
//   - translate (dy, dx), uniform in [-r, r]^2, and the cutout centre,
//     uniform over the image: keyed by (seed, iteration, position in batch);
//   - flip "random": p = 0.5 per draw, keyed like the translation;
//   - flip "alternating" (airbench): flip(i, epoch) = (base(i) + epoch) % 2,
//     base(i) a seeded bit per image index i, so each image is flipped in
//     exactly one of any two consecutive epochs;
//   - the "epoch" sampling permutation of epoch e: Fisher-Yates keyed by (seed, e).
// draw_augment() makes a batch's parameters on the host; augment_gather_cpu()
// (here) and kernels::augment_gather_cuda() apply them with the one element
// function of host/data/augment_sample.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "host/data/augment_sample.h"
#include "host/tensor.h"

namespace convlab {

enum class PadMode { reflect, zero };
enum class FlipMode { none, random, alternating };

struct AugmentConfig {
  int translate = 0;  // r: shift by (dy, dx) in [-r, r]^2; 0 = off
  PadMode pad_mode = PadMode::reflect;
  FlipMode flip = FlipMode::none;
  int cutout = 0;  // side of the zeroed square; 0 = off
  bool enabled() const { return translate > 0 || flip != FlipMode::none || cutout > 0; }
};

PadMode parse_pad_mode(const std::string& name);    // "reflect", "zero"
FlipMode parse_flip_mode(const std::string& name);  // "none", "random", "alternating"
const char* pad_mode_name(PadMode m);
const char* flip_mode_name(FlipMode m);

// A uniform integer in [0, n) from (seed, stream, a, b); n in [1, 2^32].
uint64_t counter_below(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b, uint64_t n);

// The parameters of one sample: iteration t, position `position` in the
// batch, image `image_index` of the training set, epoch `epoch`; images H x W.
AugmentSample draw_augment_sample(const AugmentConfig& cfg, uint64_t seed, int64_t iteration, int64_t epoch,
                                  int64_t position, int64_t image_index, int H, int W);
// The parameters of a batch (one per index, in order).
std::vector<AugmentSample> draw_augment(const AugmentConfig& cfg, uint64_t seed, int64_t iteration, int64_t epoch,
                                        const std::vector<int64_t>& indices, int H, int W);
// The alternating flip's per-image bit base(i).
int alternating_flip_base(uint64_t seed, int64_t image_index);

// The sampling order of epoch `epoch`: a permutation of [0, n).
std::vector<int64_t> epoch_permutation(uint64_t seed, int64_t epoch, int64_t n);

// Checks that augmentation `cfg` fits samples of shape `sample_shape`
// ((C, H, W), translate < H and W with reflect padding); throws naming `what`.
void check_augment_fits(const AugmentConfig& cfg, const Shape& sample_shape, const std::string& what);

// out (B, C, H, W) float32: sample b is src[indices[b]] augmented with
// params[b] (params empty: no augmentation) and normalised with `norm`
// (host pointers). src (N, C, H, W) uint8 or float32 on the CPU.
void augment_gather_cpu(const Tensor& src, const NormalizeParams& norm, const std::vector<int64_t>& indices,
                        const std::vector<AugmentSample>& params, bool reflect, Tensor& out);

// Per-channel mean and population std of images (N, C, ...) uint8 over the
// first n images, accumulated in double: float32 (C,) each.
void channel_mean_std(const Tensor& images, int64_t n, Tensor& mean, Tensor& std);

}  // namespace convlab
