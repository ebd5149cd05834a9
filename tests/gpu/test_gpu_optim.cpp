// CUDA update rules (every variant, every rule, float32 and float64) against
// the CPU reference after several steps on a set of awkwardly sized
// parameters, with state created on the first step or given.
#include <vector>

#include "gpu/norm_gpu_test_util.h"
#include "host/ops/optim/optim.h"

namespace convlab::test {
namespace {

const std::vector<Shape> kParamShapes = {{3, 5}, {7}, {1}, {0}, {1000, 33}, {2, 3, 4, 5}, {4097}};

std::vector<ParamSlot> random_slots(NumpyRandom& rng, DType dt, bool with_state) {
  std::vector<ParamSlot> slots;
  for (const Shape& s : kParamShapes) {
    ParamSlot p;
    p.w = random_tensor(rng, s, dt);
    p.dw = random_tensor(rng, s, dt);
    if (with_state) {
      p.s1 = uniform(rng, s, 0.0, 0.1, dt);   // rmsprop's cache is non-negative
      p.s2 = uniform(rng, s, 0.01, 0.1, dt);  // adam's v is positive
    }
    slots.push_back(p);
  }
  return slots;
}

std::vector<ParamSlot> to_gpu(const std::vector<ParamSlot>& slots) {
  std::vector<ParamSlot> g;
  for (const ParamSlot& p : slots)
    g.push_back({on_gpu(p.w), on_gpu(p.dw), p.s1.defined() ? on_gpu(p.s1) : Tensor(),
                 p.s2.defined() ? on_gpu(p.s2) : Tensor()});
  return g;
}

void run_steps(const std::string& variant, UpdateRule rule, DType dt, bool with_state, uint32_t seed) {
  const std::string what = std::string("optim/") + variant + " " + update_rule_name(rule) + " " + dtype_name(dt) +
                           (with_state ? " given state" : " fresh state");
  SCOPED_TRACE(what);
  NumpyRandom rng(seed);
  OptimConfig config;
  config.rule = rule;
  std::vector<ParamSlot> cpu = random_slots(rng, dt, with_state);
  PoisonScope poison;
  std::vector<ParamSlot> gpu = to_gpu(cpu);
  const auto& impl = OpRegistry<OptimImpl>::get(Device::cuda, variant);
  const auto& ref = cpu_reference<OptimImpl>();
  for (int64_t t = 1; t <= 5; ++t) {
    if (t > 1)  // a fresh gradient every step, the same on both sides
      for (std::size_t i = 0; i < cpu.size(); ++i) {
        cpu[i].dw = random_tensor(rng, cpu[i].w.shape(), dt);
        gpu[i].dw = on_gpu(cpu[i].dw);
      }
    ref.step(cpu, config, t);
    impl.step(gpu, config, t);
  }
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    if (cpu[i].w.numel() == 0) continue;
    const std::string slot = what + " parameter " + std::to_string(i);
    EXPECT_GPU_MATCHES(gpu[i].w, cpu[i].w, dt, slot + " w");
    if (rule != UpdateRule::sgd) {
      ASSERT_TRUE(gpu[i].s1.defined()) << slot;
      EXPECT_GPU_MATCHES(gpu[i].s1, cpu[i].s1, dt, slot + " s1");
    }
    if (rule == UpdateRule::adam) {
      ASSERT_TRUE(gpu[i].s2.defined()) << slot;
      EXPECT_GPU_MATCHES(gpu[i].s2, cpu[i].s2, dt, slot + " s2");
    }
  }
}

TEST(GpuOptim, EveryVariantAndRuleMatchesReferenceAfterSeveralSteps) {
  CONVLAB_REQUIRE_GPU();
  const auto variants = OpRegistry<OptimImpl>::variants(Device::cuda);
  ASSERT_GE(variants.size(), 2u);
  uint32_t seed = 100;
  for (const auto& v : variants)
    for (UpdateRule rule : {UpdateRule::sgd, UpdateRule::sgd_momentum, UpdateRule::rmsprop, UpdateRule::adam})
      for (DType dt : {DType::f32, DType::f64})
        for (bool with_state : {false, true}) run_steps(v, rule, dt, with_state, seed++);
}

TEST(GpuOptim, ParametersThatChangeBetweenStepsAreHandled) {
  // The multi-tensor variant keeps the descriptors of the previous step on
  // the device; a different set of parameters must be picked up.
  CONVLAB_REQUIRE_GPU();
  for (const auto& v : OpRegistry<OptimImpl>::variants(Device::cuda)) {
    NumpyRandom rng(7);
    OptimConfig config;
    config.rule = UpdateRule::sgd;
    for (int round = 0; round < 3; ++round) {
      std::vector<ParamSlot> cpu = random_slots(rng, DType::f32, false);
      cpu.resize(cpu.size() - round);
      std::vector<ParamSlot> gpu = to_gpu(cpu);
      cpu_reference<OptimImpl>().step(cpu, config, 1);
      OpRegistry<OptimImpl>::get(Device::cuda, v).step(gpu, config, 1);
      for (std::size_t i = 0; i < cpu.size(); ++i)
        if (cpu[i].w.numel()) EXPECT_GPU_MATCHES(gpu[i].w, cpu[i].w, DType::f32, v + " round " + std::to_string(round));
    }
  }
}

TEST(GpuOptim, BadSlotGivesClearError) {
  CONVLAB_REQUIRE_GPU();
  for (const auto& v : OpRegistry<OptimImpl>::variants(Device::cuda)) {
    std::vector<ParamSlot> slots{{Tensor::zeros({3}, DType::f32, Device::cuda),
                                  Tensor::zeros({4}, DType::f32, Device::cuda), Tensor(), Tensor()}};
    EXPECT_ERROR_CONTAINS(OpRegistry<OptimImpl>::get(Device::cuda, v).step(slots, OptimConfig{}, 1), "dw");
  }
}

TEST(GpuOptim, MultiTensorIsTheDefault) {
  EXPECT_EQ(OpRegistry<OptimImpl>::default_variant(Device::cuda), "multi_tensor");
}

}  // namespace
}  // namespace convlab::test
