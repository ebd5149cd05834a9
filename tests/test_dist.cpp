// Data-parallel training (host/dist/, docs/distributed.md).
//   - One process: the single-process communicator, GradientSync's packing
//     (through a stand-in communicator), the loss scale of a summed loss.
//   - `mpirun -np 2 convlab train` end to end (when this build has MPI and
//     mpirun is installed): rank 0 alone prints and writes; 2 ranks end with
//     one process's parameters; --resume on 2 ranks; a rank that fails takes
//     the job down with its message; a bad config is reported once.
// The collectives and the Solver on real ranks: tests/dist/test_dist_mpi.cpp.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "expect_error.h"
#include "fake_cifar10.h"
#include "host/dist/communicator.h"
#include "host/dist/gradient_sync.h"
#include "host/fill.h"
#include "host/random/numpy_random.h"
#include "host/solver/safetensors.h"
#include "models/layer_stack_model.h"
#include "models/model_factory.h"
#include "test_util.h"

using namespace convlab;
using namespace convlab::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

TEST(DistSingleProcess, CollectivesAreTheIdentity) {
  dist::Communicator& w = dist::world();
  ASSERT_EQ(w.size(), 1) << "this test runs without an MPI launcher";
  EXPECT_STREQ(w.backend(), "single");
  EXPECT_FALSE(dist::distributed());
  Tensor t = Tensor::from_vector({1, 2}, {2}, DType::f32);
  dist::all_reduce_sum(w, t);
  EXPECT_EQ(t.to_vector(), (std::vector<double>{1, 2}));
  EXPECT_EQ(dist::broadcast_string(w, "same"), "same");
  EXPECT_ERROR_CONTAINS(dist::collective_check(w, [] { throw Error("plain error"); }), "plain error");
}

// A stand-in for n ranks that all hold this rank's values: a sum is n times them.
class Mirror final : public dist::Communicator {
 public:
  explicit Mirror(int n) : n_(n) {}
  int rank() const override { return 0; }
  int size() const override { return n_; }
  int local_size() const override { return n_; }
  int local_rank() const override { return 0; }
  const char* backend() const override { return "mirror"; }
  void all_reduce_sum(void* data, int64_t n, DType dt) override {
    ++calls;
    for (int64_t i = 0; i < n; ++i) {
      if (dt == DType::f32) static_cast<float*>(data)[i] *= static_cast<float>(n_);
      if (dt == DType::f64) static_cast<double*>(data)[i] *= n_;
    }
  }
  void broadcast(void*, std::size_t, int) override {}
  void barrier() override {}
  [[noreturn]] void abort(int) override { std::abort(); }
  int calls = 0;

 private:
  int n_;
};

TEST(GradientSync, OneAllReduceAveragesGradientsAndLoss) {
  Mirror m(3);
  dist::GradientSync sync(m);
  std::vector<Tensor> grads = {Tensor::from_vector({1, -2, 3, 4}, {2, 2}, DType::f32),
                               Tensor::from_vector({0.5}, {1}, DType::f32)};
  Tensor loss = Tensor::scalar(2.5, DType::f32);
  sync.average(grads, loss);
  EXPECT_EQ(m.calls, 1) << "gradients and loss travel in one buffer";
  EXPECT_EQ(sync.bytes(), 6 * 4);
  EXPECT_EQ(grads[0].to_vector(), (std::vector<double>{1, -2, 3, 4}));
  EXPECT_EQ(grads[1].to_vector(), (std::vector<double>{0.5}));
  EXPECT_EQ(loss.item(), 2.5);
  // A loss of another dtype goes on its own.
  Tensor loss64 = Tensor::scalar(1.25, DType::f64);
  sync.average(grads, loss64);
  EXPECT_EQ(m.calls, 3);
  EXPECT_EQ(loss64.item(), 1.25);
  std::vector<Tensor> mixed = {grads[0], Tensor::from_vector({1}, {1}, DType::f64)};
  EXPECT_ERROR_CONTAINS(sync.average(mixed, loss), "GradientSync");
}

TEST(GradientSync, SummedLossIsScaledByTheRanks) {
  const json spec = json::parse(R"({"type": "sequential", "input_dim": [4], "loss_reduction": "sum",
                                    "layers": [{"type": "affine", "out_dim": 10}]})");
  NumpyRandom r1(1), r2(1);
  ModelPtr one = build_model(spec, r1), two = build_model(spec, r2);
  Mirror ranks(2);
  two->set_data_parallel(ranks);
  const Tensor X = Tensor::from_vector({0.1, -0.2, 0.3, 0.4, 0.5, 0.6, -0.7, 0.8}, {2, 4}, DType::f32);
  const Tensor y = Tensor::from_vector({0, 2}, {2}, DType::i32);
  const double l1 = one->loss_value(X, y), l2 = two->loss_value(X, y);
  EXPECT_NEAR(l2, 2 * l1, 1e-6 * l1);
  const auto g1 = one->grads().at("W1").to_vector(), g2 = two->grads().at("W1").to_vector();
  for (std::size_t i = 0; i < g1.size(); ++i) EXPECT_NEAR(g2[i], 2 * g1[i], 1e-6);
}

// model.sync_batchnorm: each batchnorm layer's training forward and backward
// make one all-reduce each; ranks that all hold the same shard (Mirror) give
// plain batchnorm's loss and gradients, and evaluation makes none.
TEST(SyncBatchnormLayers, ReduceTheirStatisticsOverTheRanks) {
  json spec = json::parse(R"({"type": "sequential", "input_dim": [2, 3, 3],
      "layers": [{"type": "conv", "num_filters": 3, "filter_size": 3}, {"type": "spatial_batchnorm"},
                 {"type": "relu"}, {"type": "affine", "out_dim": 5}, {"type": "batchnorm", "scale": false},
                 {"type": "affine", "out_dim": 10}]})");
  NumpyRandom r1(2), r2(2), data(3);
  ModelPtr plain = build_model(spec, r1);
  spec["sync_batchnorm"] = true;
  ModelPtr synced = build_model(spec, r2);
  EXPECT_EQ(synced->describe().value("sync_batchnorm", false), true);
  Mirror ranks(2);
  synced->set_data_parallel(ranks);
  const Tensor X = randn(data, {6, 2, 3, 3}, DType::f64).to(DType::f32);
  const Tensor y = Tensor::from_vector({0, 1, 2, 3, 1, 0}, {6}, DType::i32);
  EXPECT_NEAR(synced->loss_value(X, y), plain->loss_value(X, y), 1e-6);
  EXPECT_EQ(ranks.calls, 4) << "two batchnorm layers, one all-reduce forward and one backward each";
  for (const auto& kv : plain->grads()) {
    const auto a = synced->grads().at(kv.first).to_vector(), b = kv.second.to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5) << kv.first << "[" << i << "]";
  }
  synced->scores(X);
  EXPECT_EQ(ranks.calls, 4) << "evaluation uses the running statistics";
}

// ---- mpirun end to end

#if defined(CONVLAB_CLI_PATH) && defined(CONVLAB_MPIEXEC)

struct Result {
  int status;  // exit status; -1 for a signal
  std::string output;
};

// Runs `mpirun ARGS` (a time limit of 240 s: a hang fails the test), stdout and stderr together.
Result mpirun(const std::string& args) {
  const std::string cmd = std::string("timeout 240 ") + CONVLAB_MPIEXEC + " --oversubscribe " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class DistCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // OpenMPI refuses to run as root without these (CI runs as root).
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    write_fake_cifar10(dir.path / "cifar", 40);
    config = dir.write("cfg.json", json::parse(R"({
      "data": {"num_training": 160, "num_validation": 40, "num_test": 40, "normalize": "mean_std",
               "augment": {"translate": 2, "flip": "alternating"}},
      "model": {"type": "sequential", "input_dim": [3, 32, 32], "weight_scale": 0.01, "reg": 0.001,
                "layers": [{"type": "conv", "num_filters": 4, "filter_size": 3},
                           {"type": "relu"}, {"type": "max_pool", "pool_size": 2},
                           {"type": "affine", "out_dim": 10}]},
      "solver": {"update_rule": "sgd_momentum", "optim_config": {"learning_rate": 0.01},
                 "batch_size": 16, "num_epochs": 2, "sampling": "epoch", "print_every": 5,
                 "keep": "last", "seed": 4},
      "device": "cpu"
    })")
                                       .dump());
  }
  // `convlab ARGS` on n ranks, the data folder in the environment.
  Result train(int n, const std::string& args) {
    return mpirun("-np " + std::to_string(n) + " -x CONVLAB_CIFAR10_DIR=" + (dir.path / "cifar").string() + " " +
                  CONVLAB_CLI_PATH + " train " + args);
  }
  std::string out(const std::string& name) const { return (dir.path / name).string(); }
  TempDir dir;
  std::string config;
};

// Max |a - b| over max |b|, over the model's tensors of two checkpoints.
double relative_difference(const std::string& a, const std::string& b) {
  const SafeTensors x = load_safetensors(a), y = load_safetensors(b);
  double worst = 0;
  for (const char* name : {"W1", "b1", "W2", "b2"}) {
    const auto u = x.tensors.at(name).to_vector(), v = y.tensors.at(name).to_vector();
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < u.size(); ++i) {
      diff = std::max(diff, std::abs(u[i] - v[i]));
      scale = std::max(scale, std::abs(v[i]));
    }
    worst = std::max(worst, diff / scale);
  }
  return worst;
}

TEST_F(DistCli, TwoRanksTrainAsOneProcessAndOnlyRankZeroPrints) {
  const Result one = train(1, config + " --out " + out("one"));
  ASSERT_EQ(one.status, 0) << one.output;
  const Result two = train(2, config + " --out " + out("two"));
  ASSERT_EQ(two.status, 0) << two.output;
  EXPECT_EQ(count(two.output, "convlab train:"), 1) << two.output;
  EXPECT_EQ(count(two.output, "(Epoch 2 / 2) time:"), 1) << two.output;
  EXPECT_NE(two.output.find("data-parallel: 2 ranks (mpi), 16 images per step, 8 per rank"), std::string::npos)
      << two.output;
  EXPECT_NE(two.output.find("gradient all-reduce"), std::string::npos) << two.output;
  std::ifstream in(out("two/summary.json"));
  const json summary = json::parse(in);
  EXPECT_EQ(summary["ranks"], 2);
  EXPECT_EQ(summary["iterations"], 20);
  EXPECT_GT(summary["allreduce_bytes_per_step"].get<int64_t>(), 0);
  const double rel = relative_difference(out("two/last.safetensors"), out("one/last.safetensors"));
  EXPECT_LE(rel, 1e-5) << "2 ranks against one process after 20 steps";
}

TEST_F(DistCli, ResumesOnTwoRanks) {
  const Result whole = train(1, config + " --out " + out("whole"));
  ASSERT_EQ(whole.status, 0) << whole.output;
  const Result first = train(2, config + " --set solver.num_epochs=1 --out " + out("split"));
  ASSERT_EQ(first.status, 0) << first.output;
  const Result rest = train(2, "--resume " + out("split") + " --set solver.num_epochs=2");
  ASSERT_EQ(rest.status, 0) << rest.output;
  EXPECT_EQ(count(rest.output, "resuming after epoch 1"), 1) << rest.output;
  EXPECT_LE(relative_difference(out("split/last.safetensors"), out("whole/last.safetensors")), 1e-5);
}

TEST_F(DistCli, AFailedRankEndsTheJobWithItsMessage) {
  // Rank 1 finds no data: the job ends (no hang) with a non-zero status and rank 1's message.
  const std::string cli = std::string(CONVLAB_CLI_PATH) + " train " + config + " --out " + out("run");
  const Result r = mpirun("-np 1 -x CONVLAB_CIFAR10_DIR=" + (dir.path / "cifar").string() + " " + cli +
                          " : -np 1 -x CONVLAB_CIFAR10_DIR=" + (dir.path / "none").string() + " " + cli);
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.status, 124) << "the job hung:\n" << r.output;
  EXPECT_NE(r.output.find("convlab: error (rank 1 of 2): " + (dir.path / "none").string()), std::string::npos)
      << r.output;
}

TEST_F(DistCli, ABadConfigIsReportedOnce) {
  const Result r = train(2, config + " --set solver.batch_size=15 --out " + out("run"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_EQ(count(r.output, "solver.batch_size: 15 does not split evenly over 2 ranks"), 1) << r.output;
  EXPECT_FALSE(fs::exists(out("run"))) << "no run folder for a refused run";
}

#else

TEST(DistCli, NeedsMpi) { GTEST_SKIP() << "this build has no MPI (or no mpirun): the mpirun tests do not run"; }

#endif

}  // namespace
