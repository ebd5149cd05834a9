// The Solver's loop: printed lines, history, best parameters, NaN stop, and
// the safetensors checkpoints it writes.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "host/fill.h"
#include "host/solver/history_io.h"
#include "host/solver/safetensors.h"
#include "host/solver/solver.h"
#include "models/fc_net.h"
#include "solver_test_util.h"

using namespace convlab;
namespace fs = std::filesystem;

namespace {

// Two Gaussian blobs per class in 4 dimensions: learnable by a small net.
Dataset blobs(NumpyRandom& rng, int n, int classes) {
  Tensor X({n, 4}, DType::f32);
  std::vector<double> y(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng.randint(0, classes));
    y[static_cast<std::size_t>(i)] = c;
    for (int k = 0; k < 4; ++k) X.set_item(i * 4 + k, (k == c % 4 ? 3.0 : 0.0) * (c < 4 ? 1 : -1) + rng.randn() * 0.5);
  }
  return Dataset(X, Tensor::from_vector(y, {n}, DType::i32), Tensor());
}

}  // namespace

TEST(SolverLoop, PrintsTheNotebookLinesAndKeepsTheBestParameters) {
  NumpyRandom rng(231);
  const Dataset train = blobs(rng, 200, 8), val = blobs(rng, 100, 8);
  FullyConnectedNetOptions o;
  o.hidden_dims = {16};
  o.input_dim = 4;
  o.num_classes = 8;
  o.weight_scale = 1e-1;
  auto model = make_fc_net(o, rng);
  SolverOptions so;
  so.optim.rule = UpdateRule::adam;
  so.optim.learning_rate = 1e-2;
  so.batch_size = 50;
  so.num_epochs = 3;
  so.print_every = 5;
  std::ostringstream out;
  Solver solver(*model, train, val, so, rng, out);
  ASSERT_TRUE(solver.train());
  const std::string text = out.str();
  // 200 / 50 = 4 iterations per epoch, 12 in all; printed at t = 0, 5, 10.
  EXPECT_TRUE(std::regex_search(
      text,
      std::regex(
          R"(^\(Iteration 1 / 12\) loss: \d+\.\d{6}\n\(Epoch 0 / 3\) train acc: \d\.\d{6}; val_acc: \d\.\d{6}\n)")))
      << text;
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(\n\(Iteration 6 / 12\) loss: \d+\.\d{6}\n)"))) << text;
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(\n\(Iteration 11 / 12\) loss: \d+\.\d{6}\n)"))) << text;
  EXPECT_TRUE(std::regex_search(
      text,
      std::regex(
          R"(\n\(Epoch 3 / 3\) train acc: \d\.\d{6}; val_acc: \d\.\d{6}\n\(Epoch 3 / 3\) time: [0-9.]+ s, \d+ images/s\n$)")))
      << text;
  EXPECT_EQ(text.find("Iteration 2 /"), std::string::npos);

  const History& h = solver.history();
  EXPECT_EQ(h.loss_history.size(), 12u);
  EXPECT_EQ(h.val_metric.size(), 4u);
  EXPECT_EQ(h.epoch_time_s.size(), 3u);
  EXPECT_LT(h.loss_history.back(), h.loss_history.front());
  double best = -1;
  for (double v : h.val_metric) best = std::max(best, v);
  EXPECT_EQ(solver.best_val_metric(), best);
  EXPECT_GT(best, 0.5);  // 8 classes: chance is 0.125
  // The model ends with the best parameters: its val accuracy is the best one.
  EXPECT_DOUBLE_EQ(solver.check_metric(val, -1), best);

  const std::string csv = history_to_csv(h, solver.iterations_per_epoch());
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "epoch,train_acc,val_acc,mean_loss,epoch_time_s,images_per_s");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  // A classifier's history keeps cs231n's key names.
  EXPECT_EQ(h.metric.name, "acc");
  EXPECT_TRUE(h.metric.higher_is_better);
  const nlohmann::json j = history_to_json(h);
  EXPECT_EQ(j["metric"], "acc");
  EXPECT_EQ(j["train_acc_history"].size(), 4u);
  EXPECT_EQ(j["val_acc_history"].size(), 4u);
  const History back = history_from_json(j, model->metric());
  EXPECT_EQ(back.loss_history, h.loss_history);
  EXPECT_EQ(back.check_epoch, h.check_epoch);
  EXPECT_EQ(back.val_metric, h.val_metric);
}

TEST(SolverLoop, NonFiniteLossStopsWithAMessageAndKeepsTheBestParameters) {
  test::QuadraticModel model({1.0, 2.0});
  model.nan_at_call = 3;
  SolverOptions so;
  so.optim.learning_rate = 0.1;
  so.batch_size = 2;
  so.num_epochs = 5;  // 1 iteration per epoch
  so.print_every = 100;
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver solver(model, test::toy_dataset({0, 1}), test::toy_dataset({0, 1}), so, rng, out);
  std::vector<double> w_after_first;
  solver.on_check = [&](int64_t, bool) {
    if (w_after_first.empty()) w_after_first = model.params().at("W").to_vector();
  };
  EXPECT_FALSE(solver.train());
  EXPECT_NE(solver.stop_reason().find("loss is nan at iteration 3"), std::string::npos) << solver.stop_reason();
  EXPECT_NE(out.str().find("training stopped: loss is nan at iteration 3; keeping the best parameters so far"),
            std::string::npos)
      << out.str();
  EXPECT_EQ(model.calls, 3);                                     // no step after the bad one
  EXPECT_EQ(model.params().at("W").to_vector(), w_after_first);  // all checks tie: the first is the best
}

// keep_last: every check "improves", so the model ends with the last check's
// parameters (here the last step's) even when an earlier check scored higher.
TEST(SolverLoop, KeepLastEndsWithTheLastParameters) {
  for (const bool keep_last : {false, true}) {
    SCOPED_TRACE(keep_last);
    // W[0] > 0 scores class 1: the val labels are 1, so accuracy is 1 while
    // W[0] > 0. lr 1.5 multiplies W by -0.5 at every step (dW = W).
    test::QuadraticModel model({1.0, 2.0});
    SolverOptions so;
    so.optim.learning_rate = 1.5;
    so.batch_size = 2;
    so.num_epochs = 3;  // 1 iteration per epoch
    so.print_every = 100;
    so.keep_last = keep_last;
    NumpyRandom rng(0);
    std::ostringstream out;
    Solver solver(model, test::toy_dataset({1, 1}), test::toy_dataset({1, 1}), so, rng, out);
    ASSERT_TRUE(solver.train());
    // W after 3 steps: (-0.5)^3 * (1, 2); its sign makes val accuracy 0.
    const double w0 = model.params().at("W").item(0);
    if (keep_last) {
      EXPECT_DOUBLE_EQ(w0, -0.125);
      EXPECT_EQ(solver.best_epoch(), 3);
      EXPECT_EQ(solver.best_val_metric(), 0.0);
    } else {
      // The checks (after the first step, then each epoch's end) see W[0] =
      // -0.5, 0.25, -0.125: the one with W[0] > 0 (epoch 2) scores 1 and is kept.
      EXPECT_DOUBLE_EQ(w0, 0.25);
      EXPECT_EQ(solver.best_epoch(), 2);
      EXPECT_EQ(solver.best_val_metric(), 1.0);
    }
  }
}

TEST(Safetensors, RoundTripAndLayout) {
  const fs::path dir = fs::temp_directory_path() / ("convlab-st-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "ck.safetensors").string();
  NumpyRandom rng(1);
  std::map<std::string, Tensor> t = {{"W1", randn(rng, {2, 3}, DType::f32)},
                                     {"b1", Tensor::from_vector({1, 2}, {2}, DType::f64)},
                                     {"idx", Tensor::from_vector({7, -1, 3}, {3}, DType::i32)}};
  save_safetensors(path, t, {{"epoch", "4"}});
  EXPECT_FALSE(fs::exists(dir / ".ck.safetensors.tmp"));
  // Layout: u64 LE header size, JSON header padded to 8 bytes, then data.
  std::ifstream in(path, std::ios::binary);
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  EXPECT_EQ(n % 8, 0u);
  std::string header(n, ' ');
  in.read(&header[0], static_cast<std::streamsize>(n));
  const auto j = nlohmann::json::parse(header);
  EXPECT_EQ(j["W1"]["dtype"], "F32");
  EXPECT_EQ(j["W1"]["shape"], nlohmann::json({2, 3}));
  EXPECT_EQ(j["__metadata__"]["epoch"], "4");
  EXPECT_EQ(fs::file_size(path), 8 + n + 6 * 4 + 2 * 8 + 3 * 4);

  const SafeTensors back = load_safetensors(path);
  EXPECT_EQ(back.metadata.at("epoch"), "4");
  for (const auto& kv : t) {
    EXPECT_EQ(back.tensors.at(kv.first).dtype(), kv.second.dtype());
    EXPECT_EQ(back.tensors.at(kv.first).to_vector(), kv.second.to_vector());
  }
  // Truncated file: an error naming it.
  fs::resize_file(path, fs::file_size(path) - 4);
  try {
    load_safetensors(path);
    ADD_FAILURE() << "no error for a truncated checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(SolverLoop, ProgressBarRedrawsInPlaceAndClearsBeforeEachLine) {
  test::QuadraticModel model({1.0});
  SolverOptions so;
  so.optim.learning_rate = 0.1;
  so.batch_size = 1;
  so.num_epochs = 1;
  so.print_every = 2;
  so.progress = true;
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver solver(model, test::toy_dataset({0, 1, 0, 1}), test::toy_dataset({0, 1}), so, rng, out);
  ASSERT_TRUE(solver.train());
  const std::string text = out.str();
  EXPECT_NE(text.find("\r[======================        ] 3/4 (epoch 1 / 1)"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\033[K(Iteration 3 / 4) loss: "), std::string::npos) << text;
  EXPECT_NE(text.find("\r\033[K(Epoch 1 / 1) train acc: "), std::string::npos) << text;
}

namespace {
// y = w * x[:, 0] fitted by least squares; the metric is the mean absolute error.
class ScalarRegression : public Model {
 public:
  std::string type() const override { return "scalar_regression"; }
  Tensor loss(const Tensor& X, const Tensor& y) override {
    const int64_t N = X.dim(0), D = X.numel() / N;
    double l = 0, g = 0;
    for (int64_t i = 0; i < N; ++i) {
      const double x = X.item(i * D), r = w_.item(0) * x - y.item(i);
      l += 0.5 * r * r / double(N);
      g += r * x / double(N);
    }
    dw_ = Tensor::from_vector({g}, {1});
    return Tensor::scalar(l);
  }
  Tensor scores(const Tensor& X) override {
    const int64_t N = X.dim(0), D = X.numel() / N;
    Tensor s({N}, DType::f64);
    for (int64_t i = 0; i < N; ++i) s.set_item(i, w_.item(0) * X.item(i * D));
    return s;
  }
  std::map<std::string, Tensor> params() override { return {{"w", w_}}; }
  std::map<std::string, Tensor> grads() override { return {{"w", dw_}}; }
  void to(Device) override {}
  Device device() const override { return Device::cpu; }
  Metric metric() const override { return {"mae", false}; }
  double metric_sum(const Tensor& scores, const Tensor& y) const override {
    double s = 0;
    for (int64_t i = 0; i < y.numel(); ++i) s += std::fabs(scores.item(i) - y.item(i));
    return s;
  }
  nlohmann::json describe() const override { return {{"type", type()}}; }

 private:
  Tensor w_ = Tensor::from_vector({0.0}, {1}), dw_;
};

Dataset line(NumpyRandom& rng, int n) {
  Tensor X({n, 2}, DType::f32), y({n}, DType::f32);
  for (int i = 0; i < n; ++i) {
    const double x = rng.randn();
    X.set_item(i * 2, x);
    y.set_item(i, 2.0 * x);
  }
  return Dataset(X, y, Tensor());
}
}  // namespace

TEST(SolverLoop, RegressionModelsReportTheirOwnMetricAndKeepTheLowest) {
  NumpyRandom rng(5);
  const Dataset train = line(rng, 40), val = line(rng, 20);
  ScalarRegression model;
  SolverOptions so;
  so.optim.learning_rate = 0.2;
  so.batch_size = 10;
  so.num_epochs = 4;
  so.print_every = 100;
  std::ostringstream out;
  Solver solver(model, train, val, so, rng, out);
  ASSERT_TRUE(solver.train());
  EXPECT_TRUE(std::regex_search(out.str(), std::regex(R"(\(Epoch 4 / 4\) train mae: \d\.\d{6}; val_mae: \d\.\d{6}\n)")))
      << out.str();
  const auto& v = solver.history().val_metric;
  EXPECT_EQ(solver.best_val_metric(), *std::min_element(v.begin(), v.end()));
  EXPECT_LT(v.back(), v.front() * 0.5);
  EXPECT_NEAR(model.params().at("w").item(0), 2.0, 0.3);
  EXPECT_EQ(solver.check_metric(val, -1), solver.best_val_metric());

  // Its history is named after its metric, in memory and on disk: no accuracy key.
  const History& h = solver.history();
  EXPECT_EQ(h.metric.name, "mae");
  EXPECT_FALSE(h.metric.higher_is_better);
  const nlohmann::json j = history_to_json(h);
  EXPECT_EQ(j["metric"], "mae");
  EXPECT_EQ(j["train_mae_history"].get<std::vector<double>>(), h.train_metric);
  EXPECT_EQ(j["val_mae_history"].get<std::vector<double>>(), h.val_metric);
  for (const auto& item : j.items()) EXPECT_EQ(item.key().find("acc"), std::string::npos) << item.key();
  const std::string csv = history_to_csv(h, solver.iterations_per_epoch());
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "epoch,train_mae,val_mae,mean_loss,epoch_time_s,images_per_s");
  const History back = history_from_json(j, model.metric());
  EXPECT_EQ(back.val_metric, h.val_metric);
  EXPECT_FALSE(back.metric.higher_is_better);
  // A history of another metric is not this model's.
  EXPECT_THROW(history_from_json(j, Metric{"acc", true}), Error);
}
