// Data-parallel training on MPI ranks (host/dist/). Run by ctest under
// `mpirun -np 2` and `-np 3` (tests/CMakeLists.txt); every rank runs every test.
//   - the collectives: sums, broadcasts, the agreement on errors;
//   - the Solver on N ranks with global batch B ends with the parameters of
//     one process with batch B (20 steps, float32 rounding: <= 1e-5 relative),
//     with the same losses, and every rank holds bit-identical parameters after
//     every step: a net without batchnorm, and one with synchronized batchnorm
//     (whose per-rank-statistics twin is checked to differ).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "host/config/config.h"
#include "host/dist/communicator.h"
#include "host/random/numpy_random.h"
#include "host/run/train.h"
#include "host/solver/solver.h"
#include "models/model_factory.h"

using namespace convlab;
using nlohmann::json;

namespace {

dist::Communicator& comm() { return dist::world(); }

TEST(DistCollectives, AllReduceSumsEveryDtype) {
  const int r = comm().rank(), n = comm().size();
  std::vector<float> f = {1.0f * static_cast<float>(r), 0.5f, -2.0f};
  comm().all_reduce_sum(f.data(), 3, DType::f32);
  EXPECT_EQ(f[0], static_cast<float>(n * (n - 1) / 2));
  EXPECT_EQ(f[1], 0.5f * static_cast<float>(n));
  EXPECT_EQ(f[2], -2.0f * static_cast<float>(n));
  std::vector<double> d = {0.1 * r};
  comm().all_reduce_sum(d.data(), 1, DType::f64);
  double want = 0;
  for (int i = 0; i < n; ++i) want += 0.1 * i;
  EXPECT_NEAR(d[0], want, 1e-15);
  int32_t i = r + 1;
  comm().all_reduce_sum(&i, 1, DType::i32);
  EXPECT_EQ(i, n * (n + 1) / 2);
  Tensor t = Tensor::full({2, 3}, r + 1.0, DType::f32);
  dist::all_reduce_sum(comm(), t);
  for (double v : t.to_vector()) EXPECT_EQ(v, n * (n + 1) / 2.0);
  EXPECT_THROW(comm().all_reduce_sum(&i, 1, DType::u8), Error);
}

TEST(DistCollectives, BroadcastsRootsValues) {
  const int r = comm().rank();
  const int root = comm().size() - 1;
  EXPECT_EQ(dist::broadcast_string(comm(), r == root ? std::string("from the root") : std::string("x"), root),
            "from the root");
  EXPECT_EQ(dist::broadcast_string(comm(), r == 0 ? std::string() : std::string("not empty")), "");
  std::map<std::string, Tensor> mine;
  if (r == 0) {
    mine["a"] = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::f32);
    mine["b"] = Tensor::from_vector({7}, {}, DType::f64);
    mine["empty"] = Tensor::zeros({0, 4}, DType::f32);
  }
  const auto got = dist::broadcast_tensors(comm(), mine);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got.at("a").shape(), (Shape{2, 3}));
  EXPECT_EQ(got.at("a").dtype(), DType::f32);
  EXPECT_EQ(got.at("a").to_vector(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(got.at("b").dtype(), DType::f64);
  EXPECT_EQ(got.at("b").item(), 7.0);
  EXPECT_EQ(got.at("empty").shape(), (Shape{0, 4}));
}

// The message a rank's collective_check threw ("" when it did not throw).
std::string shared_error(const std::function<void()>& f) {
  try {
    dist::collective_check(comm(), f);
  } catch (const dist::SharedError& e) {
    return std::string("shared:") + e.what();
  }
  return "";
}

TEST(DistCollectives, RanksAgreeOnErrors) {
  const int r = comm().rank();
  EXPECT_EQ(shared_error([] {}), "");
  // Every rank fails (a bad config): rank 0 alone carries the message.
  EXPECT_EQ(shared_error([] { throw Error("bad config"); }), r == 0 ? "shared:bad config" : "shared:");
  // Only the last rank fails: it reports, naming itself; the others end silently.
  const int last = comm().size() - 1;
  const std::string got = shared_error([&] {
    if (r == last) throw Error("no data here");
  });
  if (r == last)
    EXPECT_EQ(got, "shared:rank " + std::to_string(last) + " of " + std::to_string(comm().size()) + ": no data here");
  else
    EXPECT_EQ(got, "shared:");
}

// ---- the Solver, data-parallel against one process

// 48 images 3x8x8 (uint8, per-channel normalisation), 10 classes: the same on every rank.
Dataset synthetic_images(uint32_t seed) {
  NumpyRandom rng(seed);
  const int64_t N = 48;
  Tensor images({N, 3, 8, 8}, DType::u8), labels({N}, DType::i32);
  for (int64_t i = 0; i < images.numel(); ++i) images.set_item(i, static_cast<double>(rng.randint(0, 256)));
  for (int64_t i = 0; i < N; ++i) labels.set_item(i, static_cast<double>(rng.randint(0, 10)));
  return Dataset(images, labels, Tensor(), Tensor::from_vector({120, 128, 136}, {3}, DType::f32),
                 Tensor::from_vector({60, 64, 70}, {3}, DType::f32));
}

struct TrainedRun {
  std::vector<std::map<std::string, Tensor>> params;  // after every step
  std::vector<double> losses;
};

// Trains the config's model on the synthetic data for 20 steps, on `ranks`
// (nullptr: this process alone), recording the parameters after each step.
TrainedRun train(const json& j, dist::Communicator* ranks) {
  const config::RunConfig cfg = config::parse_run_config(j);
  NumpyRandom rng(cfg.solver.seed);
  ModelPtr model = build_model(cfg.model.spec, rng);
  SolverOptions so = solver_options(cfg.solver);
  so.augment = cfg.data.augment;
  so.comm = ranks;
  so.verbose = false;
  const Dataset data = synthetic_images(5);
  std::ostringstream out;
  Solver solver(*model, data, data.head(8), so, rng, out);
  EXPECT_EQ(solver.num_iterations(), 20);
  TrainedRun run;
  solver.on_step = [&](int64_t) {
    std::map<std::string, Tensor> p;
    for (const auto& kv : model->params()) p[kv.first] = kv.second.clone();
    run.params.push_back(p);
  };
  EXPECT_TRUE(solver.train()) << solver.stop_reason();
  run.losses = solver.history().loss_history;
  return run;
}

// A net of the notebooks' ops: conv-relu-pool, affine-relu, affine; no batchnorm.
json base_config() {
  return json::parse(R"({
    "data": {"augment": {"translate": 1, "pad_mode": "reflect", "flip": "alternating"}},
    "model": {"type": "sequential", "input_dim": [3, 8, 8], "weight_scale": 0.05, "reg": 0.01,
              "layers": [{"type": "conv", "num_filters": 6, "filter_size": 3},
                         {"type": "relu"}, {"type": "max_pool", "pool_size": 2},
                         {"type": "affine", "out_dim": 16}, {"type": "relu"},
                         {"type": "affine", "out_dim": 10}]},
    "solver": {"update_rule": "sgd_momentum",
               "optim_config": {"learning_rate": 0.05, "momentum": 0.9, "nesterov": true, "weight_decay": 0.001},
               "batch_size": 12, "num_epochs": 5, "sampling": "epoch", "num_train_samples": 16,
               "verbose": false, "seed": 3},
    "device": "cpu"
  })");
}

// Batches of 4 images per rank, 20 steps.
void twenty_steps_of_4_per_rank(json& j) {
  j["solver"]["batch_size"] = 4 * comm().size();
  j["solver"]["num_epochs"] = 20.0 / (48 / (4 * comm().size()));
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_vector()) m = std::max(m, std::abs(v));
  return m;
}

// Every rank holds rank 0's parameters bit for bit after every step, and the
// last step's parameters and every loss match one process's within 1e-5 (relative).
void expect_data_parallel_matches_one_process(const json& j) {
  const TrainedRun one = train(j, nullptr);
  const TrainedRun many = train(j, &comm());
  ASSERT_EQ(many.params.size(), one.params.size());
  int64_t differing = 0;
  for (const auto& step : many.params)
    for (const auto& kv : step) {
      Tensor t = kv.second;
      const Tensor root = dist::broadcast_tensors(comm(), {{kv.first, t}}).at(kv.first);
      differing += std::memcmp(root.raw(), t.raw(), t.nbytes()) != 0;
    }
  EXPECT_EQ(differing, 0) << "steps x parameters that differ from rank 0's on rank " << comm().rank();
  for (const auto& kv : one.params.back()) {
    const Tensor& got = many.params.back().at(kv.first);
    double diff = 0;
    const auto a = got.to_vector(), b = kv.second.to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::abs(a[i] - b[i]));
    EXPECT_LE(diff, 1e-5 * max_abs(kv.second)) << kv.first << " after 20 steps on " << comm().size() << " ranks";
  }
  ASSERT_EQ(many.losses.size(), one.losses.size());
  for (std::size_t i = 0; i < one.losses.size(); ++i)
    EXPECT_NEAR(many.losses[i], one.losses[i], 1e-5 * std::abs(one.losses[i])) << "loss of step " << i + 1;
  // The run moved: the comparison is not between initial values.
  const Tensor& w0 = one.params.front().at("W1");
  const Tensor& w1 = one.params.back().at("W1");
  double moved = 0;
  for (int64_t i = 0; i < w0.numel(); ++i) moved = std::max(moved, std::abs(w0.item(i) - w1.item(i)));
  EXPECT_GT(moved, 1e-3);
}

TEST(DataParallelSolver, MatchesOneProcessWithMeanLoss) {
  json j = base_config();
  twenty_steps_of_4_per_rank(j);
  expect_data_parallel_matches_one_process(j);
}

TEST(DataParallelSolver, MatchesOneProcessWithSummedSmoothedLossAndRandomSampling) {
  json j = base_config();
  j["model"]["loss_reduction"] = "sum";
  j["model"]["label_smoothing"] = 0.2;
  j["solver"]["optim_config"]["learning_rate"] = 0.002;
  j["solver"]["sampling"] = "random";
  twenty_steps_of_4_per_rank(j);
  expect_data_parallel_matches_one_process(j);
}

TEST(DataParallelSolver, MatchesOneProcessWithAdamFrozenLayerAndLookahead) {
  json j = base_config();
  j["solver"]["update_rule"] = "adam";
  j["solver"]["optim_config"] = {{"learning_rate", 0.003}};
  j["solver"]["param_groups"] = json::parse(R"([{"match": {"name": "W1"}, "frozen": true},
                                                 {"match": {"name": "b1"}, "train_epochs": 2}])");
  j["solver"]["weight_averaging"] = {{"type", "lookahead"}, {"every", 5}};
  twenty_steps_of_4_per_rank(j);
  // W1 is frozen: the movement check looks at W2 instead.
  const TrainedRun one = train(j, nullptr);
  const TrainedRun many = train(j, &comm());
  for (const auto& kv : one.params.back()) {
    const auto a = many.params.back().at(kv.first).to_vector(), b = kv.second.to_vector();
    double diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::abs(a[i] - b[i]));
    EXPECT_LE(diff, 1e-5 * max_abs(kv.second)) << kv.first;
  }
  EXPECT_EQ(one.params.back().at("W1").to_vector(), one.params.front().at("W1").to_vector());
}

// base_config with a spatial batchnorm after the conv and a batchnorm after the
// hidden affine; the layers before them have no bias (its gradient would be
// zero but for rounding, a comparison of noise).
json batchnorm_config(bool sync) {
  json j = base_config();
  j["model"]["layers"] = json::parse(R"([{"type": "conv", "num_filters": 6, "filter_size": 3, "bias": false},
      {"type": "spatial_batchnorm"}, {"type": "relu"}, {"type": "max_pool", "pool_size": 2},
      {"type": "affine", "out_dim": 16, "bias": false}, {"type": "batchnorm", "scale": false}, {"type": "relu"},
      {"type": "affine", "out_dim": 10}])");
  if (sync) j["model"]["sync_batchnorm"] = true;
  twenty_steps_of_4_per_rank(j);
  return j;
}

// Synchronized batchnorm (model.sync_batchnorm): statistics over the global
// batch, so the ranks train as one process does, batchnorm included.
TEST(DataParallelSolver, MatchesOneProcessWithSyncBatchnorm) {
  expect_data_parallel_matches_one_process(batchnorm_config(true));
}

// The control: per-rank batchnorm statistics (the default) do not train as
// one process does, so the test above tells the two apart.
TEST(DataParallelSolver, PerRankBatchnormDiffersFromOneProcess) {
  if (comm().size() == 1) GTEST_SKIP() << "one rank";
  const json j = batchnorm_config(false);
  const TrainedRun one = train(j, nullptr);
  const TrainedRun many = train(j, &comm());
  const auto a = many.params.back().at("W1").to_vector(), b = one.params.back().at("W1").to_vector();
  double diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::abs(a[i] - b[i]));
  EXPECT_GT(diff, 1e-3 * max_abs(one.params.back().at("W1")));
}

TEST(DataParallelSolver, RefusesABatchThatDoesNotSplit) {
  if (comm().size() == 1) GTEST_SKIP() << "one rank";
  json j = base_config();
  j["solver"]["batch_size"] = 4 * comm().size() + 1;
  try {
    train(j, &comm());
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not split evenly over " + std::to_string(comm().size()) + " ranks"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace

// MPI is initialised before the tests and finalised after; every rank returns
// the same status (any rank's failure fails the job).
int main(int argc, char** argv) {
  dist::init_world(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  dist::world().all_reduce_sum(&failed, 1, DType::i32);
  dist::finalize_world();
  return failed != 0 ? 1 : 0;
}
