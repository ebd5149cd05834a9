// The fast CPU update rules against the CPU reference over several steps.
#include <gtest/gtest.h>

#include "host/ops/optim/optim.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

namespace {

std::vector<ParamSlot> make_params(NumpyRandom& rng, DType dt) {
  std::vector<ParamSlot> ps;
  for (const Shape& s : {Shape{3}, Shape{32, 3, 7, 7}, Shape{8192, 100}}) {
    ParamSlot p;
    p.w = randn_as(rng, s, dt);
    p.dw = randn_as(rng, s, dt);
    ps.push_back(p);
  }
  return ps;
}

std::vector<ParamSlot> deep_copy(const std::vector<ParamSlot>& ps) {
  std::vector<ParamSlot> out;
  for (const auto& p : ps) out.push_back({p.w.clone(), p.dw.clone(), Tensor(), Tensor()});
  return out;
}

}  // namespace

TEST(CpuFastOptim, MatchesReferenceOverSteps) {
  for (UpdateRule rule : {UpdateRule::sgd, UpdateRule::sgd_momentum, UpdateRule::rmsprop, UpdateRule::adam}) {
    SCOPED_TRACE(update_rule_name(rule));
    for_each_dtype_and_threads([&](DType dt) {
      NumpyRandom rng(11);
      std::vector<ParamSlot> ref = make_params(rng, dt);
      std::vector<ParamSlot> fast = deep_copy(ref);
      const Tensor w_start = ref[1].w.clone();
      OptimConfig cfg;
      cfg.rule = rule;
      for (int64_t t = 1; t <= 3; ++t) {
        optim_step(ref, cfg, t, "reference");
        optim_step(fast, cfg, t, "threaded");
        for (std::size_t i = 0; i < ref.size(); ++i) {
          EXPECT_FAST_MATCHES(fast[i].w, ref[i].w, dt, "w");
          if (ref[i].s1.defined()) EXPECT_FAST_MATCHES(fast[i].s1, ref[i].s1, dt, "s1");
          if (ref[i].s2.defined()) EXPECT_FAST_MATCHES(fast[i].s2, ref[i].s2, dt, "s2");
        }
      }
      EXPECT_GT(norm_rel_error(fast[1].w, w_start), 1e-6);  // the parameters did move
    });
  }
}

TEST(CpuFastOptim, IsTheCpuDefaultAndRejectsBadInput) {
  EXPECT_EQ(OpRegistry<OptimImpl>::default_variant(Device::cpu), "threaded");
  std::vector<ParamSlot> ps{{Tensor({3}), Tensor({4}), Tensor(), Tensor()}};
  EXPECT_THROW(optim_step(ps, OptimConfig{}, 1, "threaded"), Error);  // dw shape
  std::vector<ParamSlot> ok{{Tensor({3}), Tensor({3}), Tensor(), Tensor()}};
  OptimConfig adam;
  adam.rule = UpdateRule::adam;
  EXPECT_THROW(optim_step(ok, adam, 0, "threaded"), Error);  // adam's t starts at 1
}
