// The fast CPU conv (im2col + GEMM) against the CPU reference, and its
// gradients against numerical ones.
#include <gtest/gtest.h>

#include "host/ops/conv/conv.h"
#include "host/ops/conv/conv_direct.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

namespace {

struct ConvCase {
  int64_t N, C, H, W, F, HH, WW;
  int stride, pad;
};

const ConvCase kCases[] = {
    {2, 3, 4, 4, 3, 4, 4, 2, 1},     // the notebook's conv_forward_naive check
    {1, 1, 5, 7, 1, 3, 3, 1, 0},     // N = 1, C = 1, H != W, no padding
    {3, 2, 7, 5, 4, 3, 2, 2, 2},     // rectangular filter, stride 2, pad 2
    {2, 3, 9, 8, 2, 3, 3, 3, 1},     // stride 3, windows that miss the last rows
    {2, 4, 6, 6, 5, 1, 1, 1, 0},     // 1x1 filter
    {1, 2, 3, 3, 2, 5, 5, 1, 2},     // filter larger than the input, covered by padding
    {4, 3, 31, 31, 25, 3, 3, 2, 1},  // the seed's benchmark layer, fewer images
    {2, 3, 8, 8, 4, 7, 7, 1, 3},     // ThreeLayerConvNet's 7x7 pad 3
};

void check_case(const ConvCase& c, DType dt, uint32_t seed) {
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

}  // namespace

TEST(CpuFastConv, MatchesReferenceOnAwkwardShapes) {
  for_each_dtype_and_threads([](DType dt) {
    uint32_t seed = 1;
    for (const auto& c : kCases) check_case(c, dt, seed++);
  });
}

TEST(CpuFastConv, DirectKernelsMatchReference) {
  if (!threaded::direct_conv_supported())
    GTEST_SKIP() << "this CPU has no AVX2/FMA: the direct conv kernels are not used";
  const ConvCase cases[] = {
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
  for (int threads : {1, 3}) {
    set_num_threads(threads);
    PoisonScope poison;
    uint32_t seed = 40;
    for (const auto& c : cases) check_case(c, DType::f32, seed++);
  }
  set_num_threads(0);
}

TEST(CpuFastConv, MatchesReferenceForEveryTiling) {
  // The im2col + GEMM path (the direct kernels off).
  // Bound 1: tiles of 16 output positions that start and end inside output
  // rows, dx by (image, channel) tasks. 2000: tiles of one or a few whole
  // images with a shorter last tile. The default: the whole batch in a tile.
  const bool direct = threaded::set_direct_conv_enabled(false);
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
    for (const auto& c : kCases) check_case(c, dt, seed++);
  });
  threaded::set_direct_conv_enabled(direct);
}

TEST(CpuFastConv, IsTheCpuDefault) { EXPECT_EQ(OpRegistry<ConvImpl>::default_variant(Device::cpu), "threaded"); }

TEST(CpuFastConv, GradientsMatchNumericalGradients) {
  for (const ConvCase& c : {ConvCase{2, 3, 5, 6, 3, 3, 3, 1, 1}, ConvCase{2, 2, 7, 5, 2, 3, 2, 2, 2},
                            ConvCase{1, 2, 9, 8, 2, 3, 3, 3, 0}}) {
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
