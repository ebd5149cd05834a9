// The shape table of the kernel benchmark.
#include "bench/cases.h"

namespace convlab::bench {

// ThreeLayerConvNet (conv 7x7 32 pad 3 - relu - pool 2 - affine 100 - relu -
// affine 10 - softmax) on 3x32x32 images at batch B.
static void add_three_layer_convnet(std::vector<Case>& cases, int64_t B) {
  const std::string g = "tlc" + std::to_string(B);
  cases.push_back(conv_case(g, B, 3, 32, 32, 32, 7, 7, 1, 3));
  cases.push_back(relu_case(g, {B, 32, 32, 32}));
  cases.push_back(max_pool_case(g, B, 32, 32, 32, 2, 2, 2));
  cases.push_back(conv_relu_pool_case(g, B, 3, 32, 32, 32, 7));
  cases.push_back(affine_case(g, B, 32 * 16 * 16, 100));
  cases.push_back(relu_case(g, {B, 100}));
  cases.push_back(affine_case(g, B, 100, 10));
  cases.push_back(softmax_loss_case(g, B, 10));
  cases.push_back(spatial_batchnorm_case(g, B, 32, 32, 32));
  cases.push_back(spatial_groupnorm_case(g, B, 32, 32, 32, 4));
  cases.push_back(
      optim_case(g, "ThreeLayerConvNet", {{32, 3, 7, 7}, {32}, {8192, 100}, {100}, {100, 10}, {10}}, UpdateRule::adam));
}

// FullyConnectedNet, hidden [100]*5 with batchnorm, on 3072 inputs at batch B.
static void add_fc_net(std::vector<Case>& cases, int64_t B) {
  const std::string g = "fc" + std::to_string(B);
  cases.push_back(affine_case(g, B, 3072, 100));
  cases.push_back(affine_case(g, B, 100, 100));
  cases.push_back(batchnorm_case(g, B, 100));
  cases.push_back(layernorm_case(g, B, 100));
  cases.push_back(dropout_case(g, {B, 100}, 0.5));
  cases.push_back(svm_loss_case(g, B, 10));
  std::vector<Shape> params{{3072, 100}, {100}, {100}, {100}};
  for (int l = 0; l < 4; ++l) params.insert(params.end(), {{100, 100}, {100}, {100}, {100}});
  params.insert(params.end(), {{100, 10}, {10}});
  cases.push_back(optim_case(g, "FullyConnectedNet", params, UpdateRule::adam));
}

// airbench94's net (configs/airbench94.json: widths 64/256/256; airbench_cpu:
// 32/128/128) at batch B: the 2x2 whitening conv on 32x32, then per block
// conv3x3 -> max_pool 2 -> batchnorm -> gelu -> conv3x3 at the block's size
// (31 -> 15 -> 7 -> 3), and the final max_pool 3. Group "ab<w1>_<B>".
static void add_airbench(std::vector<Case>& cases, int64_t B, const std::vector<int64_t>& widths) {
  const std::string g = "ab" + std::to_string(widths[0]) + "_" + std::to_string(B);
  cases.push_back(conv_case(g, B, 3, 32, 32, 24, 2, 2, 1, 0));
  cases.push_back(gelu_case(g, {B, 24, 31, 31}));
  int64_t C = 24, H = 31;
  for (int64_t w : widths) {
    cases.push_back(conv_case(g, B, C, H, H, w, 3, 3, 1, 1));
    cases.push_back(max_pool_case(g, B, w, H, H, 2, 2, 2));
    H /= 2;
    cases.push_back(spatial_batchnorm_case(g, B, w, H, H));
    cases.push_back(gelu_case(g, {B, w, H, H}));
    cases.push_back(conv_case(g, B, w, H, H, w, 3, 3, 1, 1));
    C = w;
  }
  cases.push_back(max_pool_case(g, B, C, H, H, 3, 3, 3));
}

std::vector<Case> default_cases(const std::vector<int64_t>& batches) {
  std::vector<Case> cases;
  // The notebooks' checks.
  cases.push_back(conv_case("seed", 100, 3, 31, 31, 25, 3, 3, 2, 1));
  cases.push_back(max_pool_case("seed", 100, 3, 32, 32, 2, 2, 2));
  cases.push_back(batchnorm_case("seed", 100, 500));
  cases.push_back(layernorm_case("seed", 100, 500));
  cases.push_back(dropout_case("seed", {500, 500}, 0.5));
  for (int64_t B : batches) add_three_layer_convnet(cases, B);
  for (int64_t B : batches) add_fc_net(cases, B);
  for (int64_t B : batches) {
    add_airbench(cases, B, {32, 128, 128});
    add_airbench(cases, B, {64, 256, 256});
  }
  // Large enough to fill a GPU.
  cases.push_back(conv_case("large", 128, 64, 32, 32, 64, 3, 3, 1, 1));
  cases.push_back(max_pool_case("large", 128, 64, 32, 32, 2, 2, 2));
  cases.push_back(relu_case("large", {128, 64, 32, 32}));
  cases.push_back(dropout_case("large", {128, 64, 32, 32}, 0.5));
  cases.push_back(spatial_batchnorm_case("large", 128, 64, 32, 32));
  cases.push_back(spatial_groupnorm_case("large", 128, 64, 32, 32, 8));
  cases.push_back(batchnorm_case("large", 4096, 1024));
  cases.push_back(layernorm_case("large", 4096, 1024));
  cases.push_back(affine_case("large", 1024, 4096, 4096));
  cases.push_back(softmax_loss_case("large", 4096, 1000));
  attach_vendor_baselines(cases);
  return cases;
}

}  // namespace convlab::bench
