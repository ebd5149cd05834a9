// CPU reference of the update rules against cs231n's optim checks (N, D = 4, 5
// linspace inputs; expected arrays computed with numpy from optim.py's formulas),
// hand-computed sgd steps, the default learning rates and bad arguments.
#include <algorithm>
#include <cmath>
#include <vector>

#include "use_reference_variants.h"
#include "expect_error.h"
#include "host/fill.h"
#include "host/gradcheck.h"
#include "host/ops/optim/optim.h"
#include "norm_test_util.h"
#include "test_util.h"

using namespace convlab;
using namespace convlab::test;

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
TEST(Cs231nOptimChecks, SgdMomentum) {
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
TEST(Cs231nOptimChecks, Rmsprop) {
  std::vector<ParamSlot> p{check_slot()};
  p[0].s1 = linspace(0.6, 0.9, {4, 5});
  optim_step(p, config_for(UpdateRule::rmsprop, 1e-2), 1);
  EXPECT_LT(rel_error(p[0].w, expected(kRmspropNextW)), 1e-12);
  EXPECT_LT(rel_error(p[0].s1, expected(kRmspropCache)), 1e-12);
  EXPECT_NEAR(p[0].w.item(0), -0.39223849, 1e-8);
}

// adam check: learning_rate 1e-2, m = linspace(0.6, 0.9), v = linspace(0.7, 0.5), t = 5 before the step.
TEST(Cs231nOptimChecks, Adam) {
  std::vector<ParamSlot> p{check_slot()};
  p[0].s1 = linspace(0.6, 0.9, {4, 5});
  p[0].s2 = linspace(0.7, 0.5, {4, 5});
  optim_step(p, config_for(UpdateRule::adam, 1e-2), 6);
  EXPECT_LT(rel_error(p[0].w, expected(kAdamNextW)), 1e-12);
  EXPECT_LT(rel_error(p[0].s1, expected(kAdamM)), 1e-12);
  EXPECT_LT(rel_error(p[0].s2, expected(kAdamV)), 1e-12);
  EXPECT_NEAR(p[0].w.item(0), -0.40094747, 1e-8);
}

TEST(Cs231nOptimChecks, Float32FollowsFloat64) {
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

TEST(OptimReference, SgdByHandAndSeveralSlots) {
  std::vector<ParamSlot> p{{Tensor::from_vector({1, -2, 3}, {3}), Tensor::from_vector({0.5, 0.5, -1}, {3}), {}, {}},
                           {Tensor::from_vector({10}, {1}), Tensor::from_vector({-4}, {1}), {}, {}}};
  optim_step(p, config_for(UpdateRule::sgd, 0.1), 1);
  EXPECT_DOUBLE_EQ(p[0].w.item(0), 1 - 0.05);
  EXPECT_DOUBLE_EQ(p[0].w.item(1), -2 - 0.05);
  EXPECT_DOUBLE_EQ(p[0].w.item(2), 3 + 0.1);
  EXPECT_DOUBLE_EQ(p[1].w.item(0), 10.4);
  EXPECT_FALSE(p[0].s1.defined());  // sgd keeps no state
}

TEST(OptimReference, StateCreatedAsZerosOnFirstStep) {
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

TEST(OptimReference, DefaultLearningRates) {
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

TEST(OptimReference, RuleNamesRoundTripAndUnknownListsKnown) {
  for (UpdateRule rule : {UpdateRule::sgd, UpdateRule::sgd_momentum, UpdateRule::rmsprop, UpdateRule::adam})
    EXPECT_EQ(parse_update_rule(update_rule_name(rule)), rule);
  EXPECT_ERROR_CONTAINS(parse_update_rule("adagrad"), "adagrad");
  EXPECT_ERROR_CONTAINS(parse_update_rule("Adam"), "sgd, sgd_momentum, rmsprop, adam");
}

TEST(OptimReference, RegisteredAsCpuReference) {
  // Registered under "reference" (the CPU default is the fast variant).
  const auto v = OpRegistry<OptimImpl>::variants(Device::cpu);
  EXPECT_NE(std::find(v.begin(), v.end(), "reference"), v.end());
}

TEST(OptimReference, BadArgumentsThrowClearErrors) {
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
