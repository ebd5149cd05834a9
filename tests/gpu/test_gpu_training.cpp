// GPU parts of training: the batch gather kernel, the fused L2 penalty, and
// a model's loss and gradients on the GPU against the CPU.
#include <gtest/gtest.h>

#include "gpu_test_util.h"
#include "host/data/dataset.h"
#include "host/fill.h"
#include "models/fc_net.h"
#include "models/regularization.h"

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
