// GPU parts of training: the batch gather kernel, the fused L2 penalty, and
// a model's loss and gradients on the GPU against the CPU (in float32's
// reduced-precision modes too).
#include <gtest/gtest.h>

#include "gpu_test_util.h"
#include "host/data/dataset.h"
#include "host/fill.h"
#include "host/ops/registry.h"
#include "models/fc_net.h"
#include "models/regularization.h"
#include "models/three_layer_convnet.h"

using namespace convlab;

TEST(GpuTraining, BatchGatherMatchesTheCpu) {
  CONVLAB_REQUIRE_GPU();
  test::PoisonScope poison;
  NumpyRandom rng(0);
  // uint8 images with a mean image, and float features without.
  Tensor u8({7, 3, 4, 5}, DType::u8);
  for (int64_t i = 0; i < u8.numel(); ++i) u8.set_item(i, static_cast<double>((i * 37) % 256));
  const Tensor mean = uniform(rng, {3, 4, 5}, 0, 255, DType::f32);
  const Tensor labels = randint(rng, 0, 10, 7);
  const std::vector<int64_t> idx = {6, 0, 3, 3, 1};
  const Dataset cpu(u8, labels, mean);
  const Batch want = cpu.gather(idx);
  const Batch got = cpu.to(Device::cuda).gather(idx);
  EXPECT_TRUE(got.X.is_cuda());
  EXPECT_EQ(got.X.to(Device::cpu).to_vector(), want.X.to_vector());
  EXPECT_EQ(got.y.to(Device::cpu).to_vector(), want.y.to_vector());

  const Tensor f = randn(rng, {9, 6}, DType::f32);
  const Dataset cpu_f(f, randint(rng, 0, 3, 9), Tensor());
  const std::vector<int64_t> idx2 = {8, 8, 2};
  EXPECT_EQ(cpu_f.to(Device::cuda).gather(idx2).X.to(Device::cpu).to_vector(), cpu_f.gather(idx2).X.to_vector());
}

TEST(GpuTraining, L2PenaltyMatchesTheCpu) {
  CONVLAB_REQUIRE_GPU();
  for (DType dt : {DType::f32, DType::f64}) {
    SCOPED_TRACE(dtype_name(dt));
    NumpyRandom rng(1);
    const Tensor w = randn(rng, {300, 70}, dt);
    Tensor dw_cpu = randn(rng, {300, 70}, dt);
    Tensor dw_gpu = dw_cpu.to(Device::cuda);
    Tensor loss_cpu = Tensor::full({}, 1.5, dt);
    Tensor loss_gpu = loss_cpu.to(Device::cuda);
    add_l2_penalty(loss_cpu, w, dw_cpu, 0.3);
    add_l2_penalty(loss_gpu, w.to(Device::cuda), dw_gpu, 0.3);
    EXPECT_GPU_MATCHES(dw_gpu, dw_cpu, dt, "dw");
    EXPECT_NEAR(loss_gpu.to(Device::cpu).item(), loss_cpu.item(), dt == DType::f32 ? 1e-3 : 1e-9);
  }
}

TEST(GpuTraining, FcNetLossAndGradientsMatchTheCpu) {
  CONVLAB_REQUIRE_GPU();
  for (Normalization norm : {Normalization::none, Normalization::batchnorm, Normalization::layernorm}) {
    SCOPED_TRACE("normalization " + std::to_string(static_cast<int>(norm)));
    NumpyRandom r1(231), r2(231);
    FullyConnectedNetOptions o;
    o.hidden_dims = {20, 30};
    o.input_dim = 15;
    o.reg = 0.1;
    o.weight_scale = 5e-2;
    o.dtype = DType::f64;
    o.normalization = norm;
    auto cpu = make_fc_net(o, r1);
    auto gpu = make_fc_net(o, r2);
    gpu->to(Device::cuda);
    NumpyRandom rng(3);
    const Tensor X = randn(rng, {8, 15});
    const Tensor y = randint(rng, 0, 10, 8);
    const double lc = cpu->loss_value(X, y);
    const double lg = gpu->loss_value(X.to(Device::cuda), y.to(Device::cuda));
    EXPECT_NEAR(lg, lc, 1e-10);
    const auto gc = cpu->grads(), gg = gpu->grads();
    for (const auto& kv : gc) {
      // With batchnorm, the biases of the affine layers before it have a zero
      // gradient in exact arithmetic: both sides hold rounding noise (1e-17),
      // so there "matches" means "both zero".
      if (test::l2_norm(kv.second) < 1e-12) {
        EXPECT_LT(test::l2_norm(gg.at(kv.first)), 1e-12) << kv.first;
        continue;
      }
      EXPECT_GPU_MATCHES(gg.at(kv.first), kv.second, DType::f64, kv.first);
    }
  }
}

// A run's "precision": with tf32 or bf16 set, the ThreeLayerConvNet's convs
// and affine layers run their tensor-core variants; loss and gradients stay
// within the precision's bound of the float64 CPU model's (float32 weights).
TEST(GpuTraining, ThreeLayerConvNetInTf32AndBf16MatchesTheCpuWithinItsPrecision) {
  CONVLAB_REQUIRE_GPU();
  for (MathPrecision p : {MathPrecision::tf32, MathPrecision::bf16}) {
    SCOPED_TRACE(math_precision_name(p));
    NumpyRandom r1(231), r2(231);
    ThreeLayerConvNetOptions o;
    o.input_dim = {3, 12, 12};
    o.num_filters = 8;
    o.filter_size = 3;
    o.hidden_dim = 20;
    o.weight_scale = 5e-2;
    o.reg = 0.05;
    o.dtype = DType::f64;
    auto cpu = make_three_layer_convnet(o, r1);
    o.dtype = DType::f32;
    auto gpu = make_three_layer_convnet(o, r2);
    gpu->to(Device::cuda);
    NumpyRandom rng(5);
    const Tensor X = randn(rng, {6, 3, 12, 12});
    const Tensor y = randint(rng, 0, 10, 6);
    const double lc = cpu->loss_value(X, y);
    double lg = 0;
    {
      ScopedMathPrecision scope(Device::cuda, p);
      lg = gpu->loss_value(X.to(DType::f32).to(Device::cuda), y.to(Device::cuda));
    }
    const double bound = p == MathPrecision::tf32 ? 2e-3 : 1.6e-2;
    EXPECT_NEAR(lg, lc, bound * std::abs(lc));
    const auto gc = cpu->grads(), gg = gpu->grads();
    for (const auto& kv : gc) {
      // The conv's gradients come back through max-pool's argmax and relu's
      // kink: a rounding that changes a 2x2 window's winner moves a whole
      // entry of the gradient. BF16's rounding does that here (measured 0.097
      // on W1, 0.029 on b1), TF32's does not.
      const bool conv = kv.first == "W1" || kv.first == "b1";
      const double b = conv && p == MathPrecision::bf16 ? 0.15 : bound;
      EXPECT_LT(test::norm_rel_error(gg.at(kv.first), kv.second), b) << kv.first;
    }
  }
}
