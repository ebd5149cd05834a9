// Weight averaging (solver.weight_averaging, host/solver/weight_average.h):
// lerp_ on the CPU and on the GPU (emulator), EMA and lookahead against
// hand-computed averages of a one-parameter model, the checks evaluating and
// keeping the averaged weights, the checkpoints holding them, resume
// equivalence, and the config's validation.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "expect_error.h"
#include "fake_cifar10.h"
#include "gpu_test_util.h"
#include "host/config/config.h"
#include "host/fill.h"
#include "host/run/resume_state.h"
#include "host/run/run_folder.h"
#include "host/run/train.h"
#include "host/solver/lerp.h"
#include "host/solver/safetensors.h"
#include "host/solver/solver.h"
#include "models/model_factory.h"
#include "solver_test_util.h"
#include "test_util.h"

using namespace convlab;
using namespace convlab::test;
namespace fs = std::filesystem;
using nlohmann::json;
using Type = WeightAveragingConfig::Type;

namespace {

// ---- lerp_

TEST(Lerp, CpuMatchesHandComputedValues) {
  for (DType dt : {DType::f32, DType::f64}) {
    Tensor a = Tensor::from_vector({1, 2, -4}, {3}, dt);
    const Tensor b = Tensor::from_vector({3, 6, 4}, {3}, dt);
    lerp_(a, b, 0.25);  // a + 0.25 (b - a)
    EXPECT_EQ(a.to_vector(), (std::vector<double>{1.5, 3.0, -2.0}));
    lerp_(a, b, 1.0);
    EXPECT_EQ(a.to_vector(), b.to_vector());
  }
}

TEST(Lerp, RejectsMismatchedTensors) {
  Tensor a = Tensor::from_vector({1, 2}, {2}, DType::f32);
  EXPECT_ERROR_CONTAINS(lerp_(a, Tensor::from_vector({1, 2, 3}, {3}, DType::f32), 0.5), "lerp: b");
  EXPECT_ERROR_CONTAINS(lerp_(a, Tensor::from_vector({1, 2}, {2}, DType::f64), 0.5), "lerp");
  Tensor i = Tensor::from_vector({1, 2}, {2}, DType::i32);
  EXPECT_ERROR_CONTAINS(lerp_(i, i, 0.5), "float32 or float64");
}

TEST(LerpGpu, MatchesCpu) {
  CONVLAB_REQUIRE_GPU();
  PoisonScope poison;
  for (DType dt : {DType::f32, DType::f64}) {
    for (int64_t n : {1, 257, 5000}) {
      NumpyRandom rng(7);
      Tensor a = uniform(rng, {n}, -1, 1, dt);
      const Tensor b = uniform(rng, {n}, -1, 1, dt);
      Tensor ga = a.to(Device::cuda);
      lerp_(ga, b.to(Device::cuda), 0.3);
      lerp_(a, b, 0.3);
      // Bit for bit: the kernel rounds each operation as the CPU loop does (no FMA).
      EXPECT_EQ(ga.to(Device::cpu).to_vector(), a.to_vector()) << "lerp n=" << n;
    }
  }
}

// The averaging of a GPU model (its batchnorm statistics included) matches the same on the CPU.
TEST(WeightAverageGpu, EmaAndLookaheadMatchCpu) {
  CONVLAB_REQUIRE_GPU();
  const json spec = json::parse(R"({"type": "fc_net", "input_dim": 6, "hidden_dims": [5], "num_classes": 3,
                                    "normalization": "batchnorm"})");
  for (Type t : {Type::ema, Type::lookahead}) {
    WeightAveragingConfig c;
    c.type = t;
    c.decay = 0.7;
    c.every = 2;
    c.decay_power = 2;
    NumpyRandom r1(5), r2(5), values(9);
    ModelPtr cpu = build_model(spec, r1), gpu = build_model(spec, r2);
    gpu->to(Device::cuda);
    WeightAverage a(c), b(c);
    a.start(*cpu);
    b.start(*gpu);
    for (int64_t step = 1; step <= 5; ++step) {
      // Stand-in for a training step: new values for every parameter and buffer.
      for (auto& kv : cpu->state()) {
        const Tensor v = uniform(values, kv.second.shape(), -1, 1, kv.second.dtype());
        kv.second.copy_from(v);
        gpu->state().at(kv.first).copy_from(v);
      }
      a.after_step(*cpu, step, 5);
      b.after_step(*gpu, step, 5);
    }
    for (const auto& kv : a.average()) {
      EXPECT_EQ(b.average().at(kv.first).device(), Device::cuda);
      EXPECT_GPU_MATCHES(b.average().at(kv.first), kv.second, kv.second.dtype(), "average " + kv.first);
      EXPECT_GPU_MATCHES(gpu->state().at(kv.first), cpu->state().at(kv.first), kv.second.dtype(),
                         "weights " + kv.first);
    }
  }
}

// ---- the decay schedules

TEST(WeightAverage, LookaheadDecayIsAirbenchs) {
  WeightAveragingConfig c;
  c.type = Type::lookahead;
  c.decay = 0.95;
  c.every = 5;
  c.decay_power = 3;
  EXPECT_DOUBLE_EQ(WeightAverage::lookahead_decay(c, 50, 100), std::pow(0.95, 5) * 0.125);
  EXPECT_DOUBLE_EQ(WeightAverage::lookahead_decay(c, 100, 100), std::pow(0.95, 5));
  EXPECT_DOUBLE_EQ(WeightAverage::lookahead_decay(c, 0, 100), 0.0);
}

TEST(WeightAverage, EmaWarmupRampsTheDecay) {
  WeightAveragingConfig c;
  c.type = Type::ema;
  c.decay = 0.9;
  EXPECT_DOUBLE_EQ(WeightAverage::ema_decay(c, 1), 0.9);
  c.warmup = true;
  EXPECT_DOUBLE_EQ(WeightAverage::ema_decay(c, 1), 2.0 / 11.0);
  EXPECT_DOUBLE_EQ(WeightAverage::ema_decay(c, 100), 0.9);  // min(0.9, 101/110)
}

// ---- the Solver with a one-parameter model

// QuadraticModel (loss 0.5 w^2, dw = w) that records the weight its checks see.
class RecordingModel : public QuadraticModel {
 public:
  explicit RecordingModel(double w0) : QuadraticModel({w0}) {}
  Tensor scores(const Tensor& X) override {
    seen.push_back(params().at("W").item(0));
    return QuadraticModel::scores(X);
  }
  std::vector<double> seen;  // W at each scores() call
};

// One sample, batch 1: one iteration per epoch; sgd with lr 0.5 halves w each step.
SolverOptions one_step_epochs(int64_t epochs, WeightAveragingConfig avg) {
  SolverOptions o;
  o.optim.rule = UpdateRule::sgd;
  o.optim.learning_rate = 0.5;
  o.batch_size = 1;
  o.num_epochs = epochs;
  o.verbose = false;
  o.averaging = avg;
  return o;
}

struct Trace {
  std::vector<double> checked;  // W evaluated at each check (the val check: the second scores() call)
  std::vector<double> raw;      // W in the model when on_check runs (the raw weights)
};

Trace train_recording(RecordingModel& m, Solver& s) {
  Trace tr;
  s.on_check = [&](int64_t, bool) { tr.raw.push_back(m.params().at("W").item(0)); };
  EXPECT_TRUE(s.train());
  // Each check calls scores() on train then on val: both see the same weights.
  for (std::size_t i = 1; i < m.seen.size(); i += 2) tr.checked.push_back(m.seen[i]);
  return tr;
}

TEST(WeightAverage, NoneLeavesTheSolverAsItWas) {
  RecordingModel m(1.0);
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver s(m, toy_dataset({0}), toy_dataset({0}), one_step_epochs(3, {}), rng, out);
  const Trace tr = train_recording(m, s);
  EXPECT_EQ(tr.checked, (std::vector<double>{0.5, 0.25, 0.125}));
  EXPECT_EQ(tr.raw, tr.checked);
  EXPECT_TRUE(s.weight_average().average().empty());
}

TEST(WeightAverage, EmaChecksEvaluateAndKeepTheAverage) {
  WeightAveragingConfig c;
  c.type = Type::ema;
  c.decay = 0.5;
  RecordingModel m(1.0);
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver s(m, toy_dataset({0}), toy_dataset({0}), one_step_epochs(3, c), rng, out);
  const Trace tr = train_recording(m, s);
  // w: 1 -> 0.5 -> 0.25 -> 0.125; avg = 0.5 avg + 0.5 w from avg0 = 1.
  EXPECT_EQ(tr.raw, (std::vector<double>{0.5, 0.25, 0.125}));  // training goes on with the raw weights
  EXPECT_EQ(tr.checked, (std::vector<double>{0.75, 0.5, 0.3125}));
  EXPECT_DOUBLE_EQ(s.weight_average().average().at("W").item(0), 0.3125);
  // Accuracy 0 at every check: the first (epoch 1, one iteration per epoch) is the best, and it kept the average.
  EXPECT_EQ(s.best_epoch(), 1);
  EXPECT_DOUBLE_EQ(s.best_state().at("W").item(0), 0.75);
  EXPECT_DOUBLE_EQ(m.params().at("W").item(0), 0.75);  // loaded at the end
}

TEST(WeightAverage, AnAverageUpdatedAfterTheLastStepIsRefused) {
  // 3 iterations, an update every 5: the average would stay the initial weights.
  WeightAveragingConfig c;
  c.type = Type::lookahead;
  c.every = 5;
  c.decay = 0.95;
  RecordingModel m(1.0);
  NumpyRandom rng(0);
  std::ostringstream out;
  EXPECT_ERROR_CONTAINS(Solver(m, toy_dataset({0}), toy_dataset({0}), one_step_epochs(3, c), rng, out),
                        "solver.weight_averaging.every: 5 is more than the run's 3 iterations");
  c.every = 3;
  EXPECT_NO_THROW(Solver(m, toy_dataset({0}), toy_dataset({0}), one_step_epochs(3, c), rng, out));
}

TEST(WeightAverage, EmaEveryKStepsAndWarmup) {
  WeightAveragingConfig c;
  c.type = Type::ema;
  c.decay = 0.5;
  c.every = 2;
  {
    RecordingModel m(1.0);
    NumpyRandom rng(0);
    std::ostringstream out;
    Solver s(m, toy_dataset({0}), toy_dataset({0}), one_step_epochs(3, c), rng, out);
    const Trace tr = train_recording(m, s);
    // Only step 2 updates: 0.5 * 1 + 0.5 * 0.25.
    EXPECT_EQ(tr.checked, (std::vector<double>{1.0, 0.625, 0.625}));
  }
  c.every = 1;
  c.decay = 0.9;
  c.warmup = true;
  RecordingModel m(1.0);
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver s(m, toy_dataset({0}), toy_dataset({0}), one_step_epochs(1, c), rng, out);
  const Trace tr = train_recording(m, s);
  // Update 1: decay min(0.9, 2/11).
  const double d = 2.0 / 11.0;
  ASSERT_EQ(tr.checked.size(), 1u);
  EXPECT_DOUBLE_EQ(tr.checked[0], d * 1.0 + (1 - d) * 0.5);
}

TEST(WeightAverage, LookaheadResetsTheWeightsAndEndsOnTheAverage) {
  WeightAveragingConfig c;
  c.type = Type::lookahead;
  c.decay = 0.5;
  c.every = 2;
  c.decay_power = 1;
  RecordingModel m(1.0);
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver s(m, toy_dataset({0}), toy_dataset({0}), one_step_epochs(4, c), rng, out);
  const Trace tr = train_recording(m, s);
  // t=1: w=0.5.  t=2: w=0.25, d=0.5^2*(2/4)=0.125, avg=0.125*1+0.875*0.25=0.34375, w:=avg.
  // t=3: w=0.171875.  t=4: w=0.0859375, d=0.25*(4/4), avg=0.25*0.34375+0.75*0.0859375=0.150390625, w:=avg.
  EXPECT_EQ(tr.raw, (std::vector<double>{0.5, 0.34375, 0.171875, 0.150390625}));
  EXPECT_EQ(tr.checked, (std::vector<double>{1.0, 0.34375, 0.34375, 0.150390625}));
  EXPECT_DOUBLE_EQ(s.weight_average().average().at("W").item(0), 0.150390625);
}

TEST(WeightAverage, LookaheadFinalUpdateWhenTheLastStepIsNotAnUpdateStep) {
  WeightAveragingConfig c;
  c.type = Type::lookahead;
  c.decay = 0.5;
  c.every = 2;
  c.decay_power = 1;
  RecordingModel m(1.0);
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver s(m, toy_dataset({0}), toy_dataset({0}), one_step_epochs(3, c), rng, out);
  const Trace tr = train_recording(m, s);
  // t=2: d=0.25*(2/3), avg = d + (1-d)*0.25; t=3: no update, w := avg (the final full update).
  const double d = 0.25 * 2.0 / 3.0, avg = d * 1.0 + (1 - d) * 0.25;
  ASSERT_EQ(tr.raw.size(), 3u);
  EXPECT_DOUBLE_EQ(tr.raw[1], avg);
  EXPECT_DOUBLE_EQ(tr.raw[2], avg);
  EXPECT_DOUBLE_EQ(tr.checked[2], avg);
}

// ---- resume: an interrupted and resumed run ends as an uninterrupted one

struct Killed {};

class WeightAverageResume : public ::testing::TestWithParam<Type> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("convlab-wavg-" + std::to_string(::getpid()) + "-" + std::to_string(static_cast<int>(GetParam())));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  SolverOptions options(Type t) const {
    SolverOptions o;
    o.optim.rule = UpdateRule::sgd_momentum;  // optimiser state that the resume must carry too
    o.optim.learning_rate = 0.1;
    o.batch_size = 1;
    o.num_epochs = 5;
    o.verbose = false;
    o.averaging.type = t;
    o.averaging.decay = 0.6;
    o.averaging.every = 2;
    o.averaging.decay_power = 2;
    return o;
  }
  fs::path dir_;
};

TEST_P(WeightAverageResume, ResumedRunEndsIdentical) {
  const Type t = GetParam();
  std::ostringstream out;
  QuadraticModel a({1.0, -2.0});
  NumpyRandom ra(3);
  Solver sa(a, toy_dataset({0}), toy_dataset({0}), options(t), ra, out);
  ASSERT_TRUE(sa.train());

  // The same run killed after epoch 2, its state written as classifier_run does.
  auto folder = RunFolder::open(dir_.string(), RunFolder::Mode::fresh);
  folder->begin_writing();
  {
    QuadraticModel b({1.0, -2.0});
    NumpyRandom rb(3);
    Solver sb(b, toy_dataset({0}), toy_dataset({0}), options(t), rb, out);
    sb.on_check = [&](int64_t epoch, bool) {
      if (epoch == 0) return;
      write_resume_state(*folder, b, sb);
      if (epoch == 2) throw Killed{};
    };
    EXPECT_THROW(sb.train(), Killed);
  }
  if (t != Type::none) {
    const SafeTensors st = load_safetensors(folder->file("last.safetensors"));
    EXPECT_EQ(st.tensors.count("average.W"), 1u);
  }
  QuadraticModel c({5.0, 5.0});  // other initial values: everything comes from the checkpoint
  NumpyRandom rc(3);
  Solver sc(c, toy_dataset({0}), toy_dataset({0}), options(t), rc, out);
  load_resume_state(folder.get(), c, sc);
  ASSERT_TRUE(sc.train());

  EXPECT_EQ(c.params().at("W").to_vector(), a.params().at("W").to_vector());
  EXPECT_EQ(sc.best_state().at("W").to_vector(), sa.best_state().at("W").to_vector());
  EXPECT_EQ(sc.history().val_metric, sa.history().val_metric);
  if (t != Type::none) {
    EXPECT_EQ(sc.weight_average().average().at("W").to_vector(), sa.weight_average().average().at("W").to_vector());
  }

  // A resume that changes whether the run averages is refused.
  const Type other = t == Type::none ? Type::ema : Type::none;
  QuadraticModel d({1.0, -2.0});
  NumpyRandom rd(3);
  Solver sd(d, toy_dataset({0}), toy_dataset({0}), options(other), rd, out);
  EXPECT_ERROR_CONTAINS(load_resume_state(folder.get(), d, sd), "cannot change on --resume");
}

INSTANTIATE_TEST_SUITE_P(Types, WeightAverageResume, ::testing::Values(Type::none, Type::ema, Type::lookahead),
                         [](const ::testing::TestParamInfo<Type>& i) {
                           return std::string(weight_averaging_name(i.param));
                         });

// ---- config

json minimal_config() { return json::parse(R"({"model": {"type": "fc_net"}})"); }

TEST(WeightAveragingConfig, DefaultsAndResolvedValues) {
  json j = minimal_config();
  auto c = config::parse_run_config(j);
  EXPECT_EQ(c.solver.averaging.type, Type::none);
  EXPECT_EQ(c.resolved["solver"]["weight_averaging"], json({{"type", "none"}}));
  j["solver"]["weight_averaging"] = {{"type", "lookahead"}};
  c = config::parse_run_config(j);
  EXPECT_EQ(c.solver.averaging.type, Type::lookahead);
  EXPECT_EQ(c.resolved["solver"]["weight_averaging"],
            json({{"type", "lookahead"}, {"decay", 0.95}, {"every", 5}, {"decay_power", 3.0}}));
  j["solver"]["weight_averaging"] = {{"type", "ema"}, {"decay", 0.99}, {"warmup", true}};
  c = config::parse_run_config(j);
  EXPECT_EQ(c.resolved["solver"]["weight_averaging"],
            json({{"type", "ema"}, {"decay", 0.99}, {"every", 1}, {"warmup", true}}));
}

TEST(WeightAveragingConfig, BadValuesNameTheKey) {
  auto with = [](json wa) {
    json j = minimal_config();
    j["solver"]["weight_averaging"] = wa;
    return j;
  };
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "swa"}})), "solver.weight_averaging.type");
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "ema"}, {"decay", 1.5}})),
                        "solver.weight_averaging.decay");
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "ema"}, {"every", 0}})),
                        "solver.weight_averaging.every");
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "ema"}, {"decay_power", 3}})),
                        "not used by type \"ema\"");
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "lookahead"}, {"warmup", true}})),
                        "not used by type \"lookahead\"");
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "none"}, {"decay", 0.9}})),
                        "solver.weight_averaging.decay");
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "ema"}, {"decya", 0.9}})), "did you mean decay");
  // An average that never moves: refused.
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "ema"}, {"decay", 1.0}})),
                        "solver.weight_averaging.decay: 1 keeps the average at the initial weights");
  EXPECT_ERROR_CONTAINS(config::parse_run_config(with({{"type", "lookahead"}, {"decay", 1.0}, {"decay_power", 0}})),
                        "with decay_power 0");
  EXPECT_NO_THROW(config::parse_run_config(with({{"type", "lookahead"}, {"decay", 1.0}})));
}

// ---- the run pipeline: the checkpoints hold the average

TEST(WeightAverageRun, CheckpointsHoldTheAveragedWeights) {
  const fs::path dir = fs::temp_directory_path() / ("convlab-wavg-run-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  write_fake_cifar10(dir / "cifar", 20);
  // decay 1 - 1e-6: the average stays within 1e-6 x |w - w0| of the initial
  // weights, while the raw weights train.
  json j = json::parse(R"({
    "data": {"num_training": 60, "num_validation": 20, "num_test": 10},
    "model": {"type": "fc_net", "hidden_dims": [8], "weight_scale": 1e-3},
    "solver": {"update_rule": "sgd", "optim_config": {"learning_rate": 1e-4}, "num_epochs": 2,
               "batch_size": 20, "verbose": false, "seed": 1,
               "weight_averaging": {"type": "ema", "decay": 0.999999}},
    "device": "cpu"
  })");
  j["data"]["path"] = (dir / "cifar").string();
  const std::string cfg = (dir / "cfg.json").string();
  std::ofstream(cfg) << j.dump();
  TrainOptions opt;
  opt.out_dir = (dir / "run").string();
  std::ostringstream printed;
  ASSERT_EQ(train_command(cfg, opt, printed), 0) << printed.str();

  NumpyRandom rng(1);
  ModelPtr init = build_model(config::parse_run_config(j).model.spec, rng);
  const SafeTensors best = load_safetensors((dir / "run" / "best.safetensors").string());
  const SafeTensors last = load_safetensors((dir / "run" / "last.safetensors").string());
  bool raw_moved = false;
  auto expect_near = [](const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-8) << what << "[" << i << "]";
  };
  for (const auto& kv : init->state()) {
    expect_near(best.tensors.at(kv.first).to_vector(), kv.second.to_vector(), "best " + kv.first);
    expect_near(last.tensors.at("average." + kv.first).to_vector(), kv.second.to_vector(), "average " + kv.first);
    raw_moved = raw_moved || last.tensors.at(kv.first).to_vector() != kv.second.to_vector();
  }
  EXPECT_TRUE(raw_moved) << "the raw weights trained";
  fs::remove_all(dir);
}

}  // namespace
