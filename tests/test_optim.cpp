// optim: the CPU reference of the update rules against cs231n's optim checks
// (N, D = 4, 5 linspace inputs; expected arrays computed with numpy from
// optim.py's formulas), hand-computed sgd steps, the default learning rates
// and bad arguments; the threaded CPU update rules against the reference over
// several steps; the CUDA update rules (every variant, every rule, float32 and
// float64) against the CPU reference after several steps on a set of
// awkwardly sized parameters, with state created on the first step or given.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "expect_error.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/optim/optim.h"
#include "norm_gpu_test_util.h"
#include "norm_test_util.h"
#include "test_util.h"
#include "threaded_test_util.h"

using namespace convlab;
using namespace convlab::test;

// --- The CPU reference -------------------------------------------------------

class Cs231nOptimChecks : public ReferenceVariants {};
class OptimReference : public ReferenceVariants {};

namespace {

// The checks' inputs: w = linspace(-0.4, 0.6), dw = linspace(-0.6, 0.4).
ParamSlot check_slot(DType dt = DType::f64) {
  return ParamSlot{linspace(-0.4, 0.6, {4, 5}, dt), linspace(-0.6, 0.4, {4, 5}, dt), Tensor(), Tensor()};
}

Tensor expected(const std::vector<double>& v) { return Tensor::from_vector(v, {4, 5}); }

const std::vector<double> kSgdMomentumNextW = {
    0.14060000000000006, 0.2073894736842105, 0.27417894736842097, 0.34096842105263164, 0.407757894736842,
    0.47454736842105266, 0.5413368421052631, 0.6081263157894736,  0.6749157894736842,  0.7417052631578946,
    0.8084947368421053,  0.8752842105263158, 0.9420736842105263,  1.0088631578947367,  1.0756526315789472,
    1.142442105263158,   1.2092315789473682, 1.276021052631579,   1.3428105263157895,  1.4096000000000002};
const std::vector<double> kSgdMomentumVelocity = {
    0.5406000000000001, 0.5547578947368421, 0.5689157894736842, 0.5830736842105264, 0.5972315789473683,
    0.6113894736842106, 0.6255473684210526, 0.6397052631578948, 0.6538631578947369, 0.6680210526315788,
    0.6821789473684211, 0.6963368421052631, 0.7104947368421053, 0.7246526315789474, 0.7388105263157895,
    0.7529684210526316, 0.7671263157894737, 0.7812842105263159, 0.795442105263158,  0.8096000000000001};
const std::vector<double> kRmspropNextW = {
    -0.3922384948433383,  -0.34037513299070765, -0.28849238846687814, -0.23659120821081786, -0.18467247195258382,
    -0.13273699834703015, -0.08078555043091254, -0.02881884049026984, 0.023162465587694647, 0.07515774441461458,
    0.12716641159814304,  0.17918791858913796,  0.2312217498380417,   0.28326742022505713,  0.33532447273333105,
    0.3873924763382963,   0.43947102408970146,  0.4915597313657581,   0.5436582342813369,   0.5957661882343064};
const std::vector<double> kRmspropCache = {0.5976,
                                           0.6126277008310249,
                                           0.6277108033240998,
                                           0.6428493074792244,
                                           0.6580432132963988,
                                           0.6732925207756232,
                                           0.6885972299168975,
                                           0.7039573407202216,
                                           0.7193728531855956,
                                           0.7348437673130194,
                                           0.7503700831024931,
                                           0.7659518005540166,
                                           0.78158891966759,
                                           0.7972814404432133,
                                           0.8130293628808865,
                                           0.8288326869806094,
                                           0.8446914127423822,
                                           0.8606055401662049,
                                           0.8765750692520776,
                                           0.8926000000000001};
const std::vector<double> kAdamNextW = {
    -0.40094747166840083, -0.3483618689667189,  -0.2957770321333014,   -0.24319298836973444, -0.19060976631902593,
    -0.13802739616704435, -0.08544590975289204, -0.032865340689163525, 0.019714275506843335, 0.07229290126975907,
    0.12487049682925762,  0.17744702003811577,  0.2300224261834716,    0.2825966677792994,   0.33516969433784094,
    0.3877414521174136,   0.4403118838436444,   0.49288092840074144,   0.5454485204889067,   0.5980145902433942};
const std::vector<double> kAdamM = {0.48000000000000004, 0.49947368421052635, 0.5189473684210526, 0.538421052631579,
                                    0.5578947368421052,  0.5773684210526316,  0.596842105263158,  0.6163157894736842,
                                    0.6357894736842106,  0.6552631578947368,  0.6747368421052632, 0.6942105263157895,
                                    0.7136842105263158,  0.7331578947368422,  0.7526315789473684, 0.7721052631578947,
                                    0.791578947368421,   0.8110526315789475,  0.8305263157894738, 0.8500000000000001};
const std::vector<double> kAdamV = {0.69966,
                                    0.6890838227146813,
                                    0.678513185595568,
                                    0.6679480886426593,
                                    0.6573885318559557,
                                    0.6468345152354571,
                                    0.6362860387811634,
                                    0.6257431024930747,
                                    0.615205706371191,
                                    0.6046738504155125,
                                    0.5941475346260386,
                                    0.5836267590027702,
                                    0.5731115235457064,
                                    0.5626018282548476,
                                    0.5520976731301939,
                                    0.5415990581717451,
                                    0.5311059833795013,
                                    0.5206184487534625,
                                    0.5101364542936287,
                                    0.49966};

OptimConfig config_for(UpdateRule rule, double lr) {
  OptimConfig c;
  c.rule = rule;
  c.learning_rate = lr;
  return c;
}

}  // namespace

// sgd_momentum check: learning_rate 1e-3, velocity = linspace(0.6, 0.9).
TEST_F(Cs231nOptimChecks, SgdMomentum) {
  std::vector<ParamSlot> p{check_slot()};
  p[0].s1 = linspace(0.6, 0.9, {4, 5});
  optim_step(p, config_for(UpdateRule::sgd_momentum, 1e-3), 1);
  EXPECT_LT(rel_error(p[0].w, expected(kSgdMomentumNextW)), 1e-12);
  EXPECT_LT(rel_error(p[0].s1, expected(kSgdMomentumVelocity)), 1e-12);
  // cs231n's printed 8-digit expectation for the first entries.
  EXPECT_NEAR(p[0].w.item(0), 0.1406, 1e-8);
  EXPECT_NEAR(p[0].w.item(1), 0.20738947, 1e-8);
}

// rmsprop check: learning_rate 1e-2, cache = linspace(0.6, 0.9).
TEST_F(Cs231nOptimChecks, Rmsprop) {
  std::vector<ParamSlot> p{check_slot()};
  p[0].s1 = linspace(0.6, 0.9, {4, 5});
  optim_step(p, config_for(UpdateRule::rmsprop, 1e-2), 1);
  EXPECT_LT(rel_error(p[0].w, expected(kRmspropNextW)), 1e-12);
  EXPECT_LT(rel_error(p[0].s1, expected(kRmspropCache)), 1e-12);
  EXPECT_NEAR(p[0].w.item(0), -0.39223849, 1e-8);
}

// adam check: learning_rate 1e-2, m = linspace(0.6, 0.9), v = linspace(0.7, 0.5), t = 5 before the step.
TEST_F(Cs231nOptimChecks, Adam) {
  std::vector<ParamSlot> p{check_slot()};
  p[0].s1 = linspace(0.6, 0.9, {4, 5});
  p[0].s2 = linspace(0.7, 0.5, {4, 5});
  optim_step(p, config_for(UpdateRule::adam, 1e-2), 6);
  EXPECT_LT(rel_error(p[0].w, expected(kAdamNextW)), 1e-12);
  EXPECT_LT(rel_error(p[0].s1, expected(kAdamM)), 1e-12);
  EXPECT_LT(rel_error(p[0].s2, expected(kAdamV)), 1e-12);
  EXPECT_NEAR(p[0].w.item(0), -0.40094747, 1e-8);
}

TEST_F(Cs231nOptimChecks, Float32FollowsFloat64) {
  for (UpdateRule rule : {UpdateRule::sgd_momentum, UpdateRule::rmsprop, UpdateRule::adam}) {
    std::vector<ParamSlot> p{check_slot(DType::f32)};
    p[0].s1 = linspace(0.6, 0.9, {4, 5}, DType::f32);
    if (rule == UpdateRule::adam) p[0].s2 = linspace(0.7, 0.5, {4, 5}, DType::f32);
    optim_step(p, config_for(rule, rule == UpdateRule::sgd_momentum ? 1e-3 : 1e-2), 6);
    EXPECT_EQ(p[0].w.dtype(), DType::f32);
    const auto& want = rule == UpdateRule::sgd_momentum ? kSgdMomentumNextW
                       : rule == UpdateRule::rmsprop    ? kRmspropNextW
                                                        : kAdamNextW;
    EXPECT_LT(rel_error(p[0].w, expected(want)), 1e-6) << update_rule_name(rule);
  }
}

TEST_F(OptimReference, SgdByHandAndSeveralSlots) {
  std::vector<ParamSlot> p{{Tensor::from_vector({1, -2, 3}, {3}), Tensor::from_vector({0.5, 0.5, -1}, {3}), {}, {}},
                           {Tensor::from_vector({10}, {1}), Tensor::from_vector({-4}, {1}), {}, {}}};
  optim_step(p, config_for(UpdateRule::sgd, 0.1), 1);
  EXPECT_DOUBLE_EQ(p[0].w.item(0), 1 - 0.05);
  EXPECT_DOUBLE_EQ(p[0].w.item(1), -2 - 0.05);
  EXPECT_DOUBLE_EQ(p[0].w.item(2), 3 + 0.1);
  EXPECT_DOUBLE_EQ(p[1].w.item(0), 10.4);
  EXPECT_FALSE(p[0].s1.defined());  // sgd keeps no state
}

TEST_F(OptimReference, StateCreatedAsZerosOnFirstStep) {
  // Adam's first step from zero moments: m = 0.1 dw, v = 0.001 dw^2, mt = dw, vt = dw^2,
  // so w moves by lr * dw / (|dw| + eps), about lr * sign(dw).
  std::vector<ParamSlot> p{{Tensor::from_vector({0, 0}, {2}), Tensor::from_vector({2, -0.5}, {2}), {}, {}}};
  optim_step(p, config_for(UpdateRule::adam, 0.01), 1);
  ASSERT_TRUE(p[0].s1.defined() && p[0].s2.defined());
  EXPECT_EQ(p[0].s1.shape(), (Shape{2}));
  EXPECT_NEAR(p[0].s1.item(0), 0.2, 1e-15);
  EXPECT_NEAR(p[0].s2.item(1), 0.001 * 0.25, 1e-15);
  EXPECT_NEAR(p[0].w.item(0), -0.01 * 2 / (2 + 1e-8), 1e-15);
  EXPECT_NEAR(p[0].w.item(1), 0.01 * 0.5 / (0.5 + 1e-8), 1e-15);
  // sgd_momentum from zero velocity: v = -lr dw.
  std::vector<ParamSlot> q{{Tensor::from_vector({1}, {1}), Tensor::from_vector({3}, {1}), {}, {}}};
  optim_step(q, config_for(UpdateRule::sgd_momentum, 0.1), 1);
  EXPECT_NEAR(q[0].s1.item(0), -0.3, 1e-15);
  EXPECT_NEAR(q[0].w.item(0), 0.7, 1e-15);
}

TEST_F(OptimReference, DefaultLearningRates) {
  for (UpdateRule rule : {UpdateRule::sgd, UpdateRule::sgd_momentum, UpdateRule::rmsprop, UpdateRule::adam}) {
    OptimConfig c;
    c.rule = rule;
    EXPECT_DOUBLE_EQ(c.lr(), rule == UpdateRule::adam ? 1e-3 : 1e-2) << update_rule_name(rule);
  }
  // A step with the default learning rate: sgd moves w by 1e-2 * dw.
  std::vector<ParamSlot> p{{Tensor::from_vector({1}, {1}), Tensor::from_vector({2}, {1}), {}, {}}};
  optim_step(p, OptimConfig{}, 1);
  EXPECT_DOUBLE_EQ(p[0].w.item(0), 1 - 0.02);
  OptimConfig d;
  EXPECT_DOUBLE_EQ(d.momentum, 0.9);
  EXPECT_DOUBLE_EQ(d.decay_rate, 0.99);
  EXPECT_DOUBLE_EQ(d.beta1, 0.9);
  EXPECT_DOUBLE_EQ(d.beta2, 0.999);
  EXPECT_DOUBLE_EQ(d.epsilon, 1e-8);
}

TEST_F(OptimReference, RuleNamesRoundTripAndUnknownListsKnown) {
  for (UpdateRule rule : {UpdateRule::sgd, UpdateRule::sgd_momentum, UpdateRule::rmsprop, UpdateRule::adam})
    EXPECT_EQ(parse_update_rule(update_rule_name(rule)), rule);
  EXPECT_ERROR_CONTAINS(parse_update_rule("adagrad"), "adagrad");
  EXPECT_ERROR_CONTAINS(parse_update_rule("Adam"), "sgd, sgd_momentum, rmsprop, adam");
}

TEST_F(OptimReference, RegisteredAsCpuReference) {
  // Registered under "reference" (the CPU default is the fast variant).
  const auto v = OpRegistry<OptimImpl>::variants(Device::cpu);
  EXPECT_NE(std::find(v.begin(), v.end(), "reference"), v.end());
}

TEST_F(OptimReference, BadArgumentsThrowClearErrors) {
  auto run = [](std::vector<ParamSlot> p, OptimConfig c, int64_t t = 1) { optim_step(p, c, t); };
  const OptimConfig sgd = config_for(UpdateRule::sgd, 0.1);
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2, 3}), Tensor::zeros({3, 2}), {}, {}}}, sgd), "dw");
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}, DType::f64), Tensor::zeros({2}, DType::f32), {}, {}}}, sgd), "dw");
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}, DType::i32), Tensor::zeros({2}, DType::i32), {}, {}}}, sgd),
                        "float32 or float64");
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}), Tensor::zeros({2}), {}, {}},
                             {Tensor::zeros({2}, DType::f64), Tensor::zeros({2}, DType::f64), {}, {}}},
                            sgd),
                        "parameter 1");
  EXPECT_ERROR_CONTAINS(
      run({{Tensor::zeros({2}), Tensor::zeros({2}), Tensor::zeros({3}), {}}}, config_for(UpdateRule::rmsprop, 0.1)),
      "s1");
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}), Tensor::zeros({2}), {}, {}}}, config_for(UpdateRule::sgd, NAN)),
                        "learning_rate");
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}), Tensor::zeros({2}), {}, {}}}, config_for(UpdateRule::sgd, INFINITY)),
                        "learning_rate");
  OptimConfig mom = config_for(UpdateRule::sgd_momentum, 0.1);
  mom.momentum = 1.2;
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}), Tensor::zeros({2}), {}, {}}}, mom), "momentum");
  OptimConfig rms = config_for(UpdateRule::rmsprop, 0.1);
  rms.decay_rate = -0.1;
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}), Tensor::zeros({2}), {}, {}}}, rms), "decay_rate");
  OptimConfig adam = config_for(UpdateRule::adam, 0.1);
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}), Tensor::zeros({2}), {}, {}}}, adam, 0), "t must be >= 1");
  adam.beta1 = 1.0;
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}), Tensor::zeros({2}), {}, {}}}, adam), "beta1");
  adam.beta1 = 0.9;
  adam.epsilon = 0;
  EXPECT_ERROR_CONTAINS(run({{Tensor::zeros({2}), Tensor::zeros({2}), {}, {}}}, adam), "epsilon");
  EXPECT_ERROR_CONTAINS(run({{Tensor(), Tensor::zeros({2}), {}, {}}}, sgd), "w is empty");
}

// --- Nesterov, weight decay, per-parameter multipliers (hand-computed) ------

namespace {

ParamSlot scalar_slot(std::vector<double> w, std::vector<double> dw, double lr_mult = 1.0, double wd_mult = 1.0) {
  const int64_t n = static_cast<int64_t>(w.size());
  ParamSlot p{Tensor::from_vector(w, {n}), Tensor::from_vector(dw, {n}), Tensor(), Tensor()};
  p.lr_mult = lr_mult;
  p.wd_mult = wd_mult;
  return p;
}

}  // namespace

// PyTorch SGD(lr=0.1, momentum=0.9, nesterov=True): buf = 0.9 buf + g;
// w -= 0.1 (g + 0.9 buf). Two steps with g = (0.5, 0.25):
//   step 1: buf = (0.5, 0.25);  w = (1 - 0.1 * 0.95, -2 - 0.1 * 0.475) = (0.905, -2.0475)
//   step 2: buf = (0.95, 0.475); w = (0.905 - 0.1 * 1.355, -2.0475 - 0.1 * 0.6775) = (0.7695, -2.11525)
TEST_F(OptimReference, NesterovMatchesPyTorchByHand) {
  OptimConfig c = config_for(UpdateRule::sgd_momentum, 0.1);
  c.nesterov = true;
  std::vector<ParamSlot> p{scalar_slot({1.0, -2.0}, {0.5, 0.25})};
  optim_step(p, c, 1);
  EXPECT_NEAR(p[0].w.item(0), 0.905, 1e-14);
  EXPECT_NEAR(p[0].w.item(1), -2.0475, 1e-14);
  EXPECT_NEAR(p[0].s1.item(0), 0.5, 1e-14);
  optim_step(p, c, 2);
  EXPECT_NEAR(p[0].w.item(0), 0.7695, 1e-14);
  EXPECT_NEAR(p[0].w.item(1), -2.11525, 1e-14);
  EXPECT_NEAR(p[0].s1.item(1), 0.475, 1e-14);
  // Without nesterov the same config is cs231n's momentum: v = -0.1 * 0.5, w = 1 - 0.05.
  c.nesterov = false;
  std::vector<ParamSlot> q{scalar_slot({1.0}, {0.5})};
  optim_step(q, c, 1);
  EXPECT_NEAR(q[0].w.item(0), 0.95, 1e-14);
}

// Coupled weight decay (PyTorch's weight_decay): g = dw + 0.1 * w.
//   sgd, lr 0.1, w 2, dw 0.5:  g = 0.7, w = 2 - 0.07 = 1.93
//   sgd_momentum, v 0.2:       v = 0.18 - 0.07 = 0.11, w = 2.11
//   rmsprop, lr 0.01:          cache = 0.01 * 0.49 = 0.0049, w = 2 - 0.01 * 0.7 / (0.07 + 1e-8)
//   adam, lr 0.1, t 1:         m^ = 0.7, v^ = 0.49, w = 2 - 0.1 * 0.7 / (0.7 + 1e-8)
TEST_F(OptimReference, CoupledWeightDecayByHand) {
  auto step = [](UpdateRule rule, double lr, double s1) {
    OptimConfig c = config_for(rule, lr);
    c.weight_decay = 0.1;
    std::vector<ParamSlot> p{scalar_slot({2.0}, {0.5})};
    if (s1 != 0) p[0].s1 = Tensor::from_vector({s1}, {1});
    optim_step(p, c, 1);
    return p[0].w.item(0);
  };
  EXPECT_NEAR(step(UpdateRule::sgd, 0.1, 0), 1.93, 1e-14);
  EXPECT_NEAR(step(UpdateRule::sgd_momentum, 0.1, 0.2), 2.11, 1e-14);
  EXPECT_NEAR(step(UpdateRule::rmsprop, 0.01, 0), 2 - 0.01 * 0.7 / (0.07 + 1e-8), 1e-14);
  EXPECT_NEAR(step(UpdateRule::adam, 0.1, 0), 2 - 0.1 * 0.7 / (0.7 + 1e-8), 1e-14);
}

// Decoupled weight decay: w *= 1 - lr * 0.1 before the rule.
//   sgd, lr 0.1:            w = 2 * 0.99 - 0.05 = 1.93 (plain sgd: the same as coupled)
//   rmsprop, lr 0.01:       w = 2 * 0.999 - 0.01 * 0.5 / (0.05 + 1e-8) = 1.898 (+2e-8 * 0.1)
//   sgd_momentum, 2 steps:  v1 = -0.05, w1 = 1.98 - 0.05 = 1.93;
//                           v2 = -0.045 - 0.05 = -0.095, w2 = 1.93 * 0.99 - 0.095 = 1.8157
//     (coupled would give: g2 = 0.5 + 0.1 * 1.93 = 0.693, v2 = 0.9 * -0.07 - 0.0693, w2 = 1.93 + v2 = 1.7977)
TEST_F(OptimReference, DecoupledWeightDecayByHand) {
  OptimConfig c = config_for(UpdateRule::sgd, 0.1);
  c.weight_decay = 0.1;
  c.weight_decay_mode = WeightDecayMode::decoupled;
  std::vector<ParamSlot> p{scalar_slot({2.0}, {0.5})};
  optim_step(p, c, 1);
  EXPECT_NEAR(p[0].w.item(0), 1.93, 1e-14);

  c.rule = UpdateRule::rmsprop;
  c.learning_rate = 0.01;
  p = {scalar_slot({2.0}, {0.5})};
  optim_step(p, c, 1);
  EXPECT_NEAR(p[0].w.item(0), 2 * 0.999 - 0.01 * 0.5 / (0.05 + 1e-8), 1e-14);

  for (auto mode : {WeightDecayMode::decoupled, WeightDecayMode::coupled}) {
    OptimConfig m = config_for(UpdateRule::sgd_momentum, 0.1);
    m.weight_decay = 0.1;
    m.weight_decay_mode = mode;
    p = {scalar_slot({2.0}, {0.5})};
    optim_step(p, m, 1);
    EXPECT_NEAR(p[0].w.item(0), 1.93, 1e-14);
    optim_step(p, m, 2);
    EXPECT_NEAR(p[0].w.item(0), mode == WeightDecayMode::decoupled ? 1.8157 : 1.7977, 1e-14)
        << weight_decay_mode_name(mode);
  }
}

// adamw (lr 0.1, weight_decay 0.1), a constant gradient 0.5 from w = 2:
// m^ = 0.5 and v^ = 0.25 at every step (step 2: m = 0.095 / 0.19, v =
// 0.00049975 / 0.001999), so each step is w = 0.99 w - 0.1 * 0.5 / (0.5 + 1e-8):
//   w1 = 1.98 - s, w2 = 0.99 w1 - s with s = 0.1 / (1 + 2e-8).
TEST_F(OptimReference, AdamWByHand) {
  OptimConfig c = config_for(UpdateRule::adamw, 0.1);
  c.weight_decay = 0.1;
  std::vector<ParamSlot> p{scalar_slot({2.0}, {0.5})};
  const double s = 0.1 / (1 + 2e-8);
  optim_step(p, c, 1);
  EXPECT_NEAR(p[0].w.item(0), 1.98 - s, 1e-14);
  optim_step(p, c, 2);
  EXPECT_NEAR(p[0].w.item(0), 0.99 * (1.98 - s) - s, 1e-14);
  EXPECT_NEAR(p[0].s1.item(0), 0.095, 1e-15);
  EXPECT_NEAR(p[0].s2.item(0), 0.00049975, 1e-15);
  // adamw's defaults: learning rate 1e-3, weight decay 0.01 (PyTorch's AdamW), decoupled.
  OptimConfig d;
  d.rule = UpdateRule::adamw;
  EXPECT_DOUBLE_EQ(d.lr(), 1e-3);
  EXPECT_DOUBLE_EQ(d.wd(), 0.01);
  EXPECT_TRUE(d.decoupled());
  d.rule = UpdateRule::adam;
  EXPECT_DOUBLE_EQ(d.wd(), 0.0);
  EXPECT_FALSE(d.decoupled());
}

// Per-parameter multipliers. sgd lr 0.1, decoupled weight decay 0.01, w 1, dw 0.5:
//   multipliers 1:             w = 1 * (1 - 0.001) - 0.05 = 0.949
//   lr_mult 64, wd_mult 1/64:  lr 6.4, wd 0.01/64: w = 1 * (1 - 0.001) - 3.2 = -2.201
//   coupled, lr_mult 2, wd_mult 3: g = 0.5 + 0.03 = 0.53, w = 1 - 0.2 * 0.53 = 0.894
//   lr_mult 0: w stays 1 (the weight decay scales with lr when decoupled)
TEST_F(OptimReference, LrAndWdMultipliersPerSlot) {
  OptimConfig c = config_for(UpdateRule::sgd, 0.1);
  c.weight_decay = 0.01;
  c.weight_decay_mode = WeightDecayMode::decoupled;
  std::vector<ParamSlot> p{scalar_slot({1.0}, {0.5}), scalar_slot({1.0}, {0.5}, 64.0, 1.0 / 64),
                           scalar_slot({1.0}, {0.5}, 0.0, 5.0)};
  optim_step(p, c, 1);
  EXPECT_NEAR(p[0].w.item(0), 0.949, 1e-14);
  EXPECT_NEAR(p[1].w.item(0), -2.201, 1e-14);
  EXPECT_EQ(p[2].w.item(0), 1.0);
  c.weight_decay_mode = WeightDecayMode::coupled;
  std::vector<ParamSlot> q{scalar_slot({1.0}, {0.5}, 2.0, 3.0)};
  optim_step(q, c, 1);
  EXPECT_NEAR(q[0].w.item(0), 0.894, 1e-14);
}

TEST_F(OptimReference, BadWeightDecayNesterovAndMultipliersThrow) {
  auto run = [](std::vector<ParamSlot> p, OptimConfig c) { optim_step(p, c, 1); };
  OptimConfig c = config_for(UpdateRule::sgd, 0.1);
  c.weight_decay = NAN;
  EXPECT_ERROR_CONTAINS(run({scalar_slot({1}, {1})}, c), "weight_decay");
  c = config_for(UpdateRule::adam, 0.1);
  c.nesterov = true;
  EXPECT_ERROR_CONTAINS(run({scalar_slot({1}, {1})}, c), "nesterov");
  c = config_for(UpdateRule::sgd, 0.1);
  EXPECT_ERROR_CONTAINS(run({scalar_slot({1}, {1}), scalar_slot({1}, {1}, -1.0)}, c), "parameter 1: lr_mult");
  EXPECT_ERROR_CONTAINS(run({scalar_slot({1}, {1}, 1.0, INFINITY)}, c), "wd_mult");
}

// --- The threaded CPU variant ------------------------------------------------

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

namespace {

// Configurations with the options beyond cs231n: Nesterov, weight decay of both kinds, adamw.
std::vector<OptimConfig> extended_configs() {
  std::vector<OptimConfig> out;
  auto add = [&](UpdateRule rule, bool nesterov, double wd, WeightDecayMode mode) {
    OptimConfig c;
    c.rule = rule;
    c.nesterov = nesterov;
    c.weight_decay = wd;
    c.weight_decay_mode = mode;
    out.push_back(c);
  };
  add(UpdateRule::sgd_momentum, true, 0.0, WeightDecayMode::coupled);
  add(UpdateRule::sgd_momentum, true, 0.5, WeightDecayMode::decoupled);
  add(UpdateRule::sgd, false, 0.5, WeightDecayMode::coupled);
  add(UpdateRule::sgd_momentum, false, 0.5, WeightDecayMode::coupled);
  add(UpdateRule::rmsprop, false, 0.5, WeightDecayMode::decoupled);
  add(UpdateRule::adam, false, 0.5, WeightDecayMode::coupled);
  add(UpdateRule::adamw, false, -1.0, WeightDecayMode::coupled);  // 0.01, decoupled
  add(UpdateRule::adamw, false, 2.0, WeightDecayMode::coupled);
  return out;
}

std::string describe(const OptimConfig& c) {
  return std::string(update_rule_name(c.rule)) + (c.nesterov ? " nesterov" : "") + " wd " + std::to_string(c.wd()) +
         " " + (c.decoupled() ? "decoupled" : "coupled");
}

}  // namespace

TEST(CpuFastOptim, NesterovWeightDecayAndMultipliersMatchReference) {
  for (const OptimConfig& cfg : extended_configs()) {
    SCOPED_TRACE(describe(cfg));
    for_each_dtype_and_threads([&](DType dt) {
      NumpyRandom rng(12);
      std::vector<ParamSlot> ref = make_params(rng, dt);
      ref[0].lr_mult = 64;
      ref[0].wd_mult = 1.0 / 64;
      ref[2].lr_mult = 0.5;
      ref[2].wd_mult = 3;
      std::vector<ParamSlot> fast = deep_copy(ref);
      for (std::size_t i = 0; i < ref.size(); ++i) {
        fast[i].lr_mult = ref[i].lr_mult;
        fast[i].wd_mult = ref[i].wd_mult;
      }
      const Tensor w_start = ref[2].w.clone();
      for (int64_t t = 1; t <= 3; ++t) {
        optim_step(ref, cfg, t, "reference");
        optim_step(fast, cfg, t, "threaded");
        for (std::size_t i = 0; i < ref.size(); ++i) {
          EXPECT_FAST_MATCHES(fast[i].w, ref[i].w, dt, "w");
          if (ref[i].s1.defined()) EXPECT_FAST_MATCHES(fast[i].s1, ref[i].s1, dt, "s1");
          if (ref[i].s2.defined()) EXPECT_FAST_MATCHES(fast[i].s2, ref[i].s2, dt, "s2");
        }
      }
      EXPECT_GT(norm_rel_error(fast[2].w, w_start), 1e-6);
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

// --- The CUDA variants -------------------------------------------------------

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
                 p.s2.defined() ? on_gpu(p.s2) : Tensor(), p.lr_mult, p.wd_mult});
  return g;
}

// Five steps of `config` on the GPU variant and the CPU reference; with
// multipliers, each parameter gets its own lr_mult and wd_mult.
void run_steps(const std::string& variant, const OptimConfig& config, DType dt, bool with_state, uint32_t seed,
               bool multipliers = false) {
  const UpdateRule rule = config.rule;
  const std::string what = std::string("optim/") + variant + " " + update_rule_name(rule) +
                           (config.nesterov ? " nesterov" : "") + " wd " + std::to_string(config.wd()) +
                           (config.decoupled() ? " decoupled " : " coupled ") + dtype_name(dt) +
                           (with_state ? " given state" : " fresh state") + (multipliers ? " with multipliers" : "");
  SCOPED_TRACE(what);
  NumpyRandom rng(seed);
  std::vector<ParamSlot> cpu = random_slots(rng, dt, with_state);
  if (multipliers)
    for (std::size_t i = 0; i < cpu.size(); ++i) {
      cpu[i].lr_mult = i % 3 == 0 ? 64.0 : 1.0 / double(i + 1);
      cpu[i].wd_mult = i % 3 == 0 ? 1.0 / 64 : double(i);
    }
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
    if (is_adam(rule)) {
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
        for (bool with_state : {false, true}) {
          OptimConfig config;
          config.rule = rule;
          run_steps(v, config, dt, with_state, seed++);
        }
}

TEST(GpuOptim, NesterovWeightDecayAndMultipliersMatchReference) {
  CONVLAB_REQUIRE_GPU();
  uint32_t seed = 300;
  for (const auto& v : OpRegistry<OptimImpl>::variants(Device::cuda))
    for (const OptimConfig& config : extended_configs())
      for (DType dt : {DType::f32, DType::f64}) run_steps(v, config, dt, true, seed++, true);
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
  CONVLAB_REQUIRE_CUDA_BUILD();
  EXPECT_EQ(OpRegistry<OptimImpl>::default_variant(Device::cuda), "multi_tensor");
}

}  // namespace
}  // namespace convlab::test
