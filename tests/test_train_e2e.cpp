// End to end on the CPU: `convlab train` on a small real CIFAR-10 subset
// (skipped with a message when the .bin files cannot be found or made),
// the run folder, resume, sweep and `convlab eval`.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cifar10_test_util.h"
#include "host/config/config.h"
#include "host/gradcheck.h"
#include "host/run/evaluate.h"
#include "host/run/train.h"
#include "host/solver/safetensors.h"
#include "models/model_factory.h"

using namespace convlab;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class TrainE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    data_ = test::cifar10_bin_dir(&why);
    if (data_.empty()) GTEST_SKIP() << why;
    dir_ = fs::temp_directory_path() / ("convlab-e2e-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  std::string write_config(const json& j) {
    const std::string p = (dir_ / "config.json").string();
    std::ofstream(p) << j.dump(2);
    return p;
  }
  // A small fully connected net: 500 training images, 3 epochs, seconds on one core.
  json fc_config() {
    return json::parse(R"({
      "data": {"num_train": 500, "num_validation": 200, "num_test": 200},
      "model": {"type": "fc_net", "hidden_dims": [64], "weight_scale": 1e-3},
      "solver": {"update_rule": "adam", "optim_config": {"learning_rate": 5e-4}, "num_epochs": 3,
                 "batch_size": 50, "num_train_samples": 200, "print_every": 5, "seed": 231},
      "device": "cpu"
    })");
  }
  // `convlab train` of cfg on the found data into run folder `run`; its exit status.
  int train_into(json cfg, const std::string& run, std::ostream& out) {
    cfg["data"]["path"] = data_;
    TrainOptions opt;
    opt.out_dir = run;
    return train_command(write_config(cfg), opt, out);
  }
  static json read_json(const fs::path& p) {
    std::ifstream in(p);
    return json::parse(in);
  }
  std::string data_;
  fs::path dir_;
};

}  // namespace

TEST_F(TrainE2E, FcNetLearnsAndWritesTheRunFolder) {
  json cfg = fc_config();
  const std::string run = (dir_ / "run").string();
  std::ostringstream out;
  ASSERT_EQ(train_into(cfg, run, out), 0) << out.str();
  const std::string text = out.str();
  EXPECT_NE(text.find("(Iteration 1 / 30) loss: "), std::string::npos) << text;
  EXPECT_NE(text.find("(Epoch 3 / 3) train acc: "), std::string::npos) << text;

  for (const char* f : {"config.json", "history.json", "history.csv", "best.safetensors", "summary.json",
                        "last.safetensors", "state.json"})
    EXPECT_TRUE(fs::exists(fs::path(run) / f)) << f;
  const json s = read_json(fs::path(run) / "summary.json");
  EXPECT_EQ(s["status"], "ok");
  EXPECT_EQ(s["device"], "cpu");
  EXPECT_GT(s["val"].get<double>(), 0.2);  // chance is 0.1
  EXPECT_GT(s["test"].get<double>(), 0.2);
  EXPECT_GT(s["images_per_s"].get<double>(), 0.0);
  const json h = read_json(fs::path(run) / "history.json");
  const auto loss = h["loss_history"].get<std::vector<double>>();
  ASSERT_EQ(loss.size(), 30u);
  EXPECT_NEAR(loss.front(), std::log(10.0), 0.1);
  const double first = (loss[0] + loss[1] + loss[2]) / 3, last = (loss[27] + loss[28] + loss[29]) / 3;
  EXPECT_LT(last, first - 0.2);
  // The resolved config records every default.
  const json c = read_json(fs::path(run) / "config.json");
  EXPECT_EQ(c["solver"]["lr_decay"], 1.0);
  EXPECT_EQ(c["data"]["num_training"], 49000);

  const SafeTensors ck = load_safetensors((fs::path(run) / "best.safetensors").string());
  EXPECT_EQ(ck.tensors.at("W1").shape(), (Shape{3072, 64}));
  EXPECT_EQ(ck.tensors.at("W2").shape(), (Shape{64, 10}));
  EXPECT_EQ(ck.metadata.at("model_type"), "fc_net");

  // convlab eval reproduces the test accuracy of summary.json.
  std::ostringstream eval_out;
  EvalOptions eo;
  eo.device = "cpu";
  const json r = eval_command(run, eo, eval_out);
  EXPECT_DOUBLE_EQ(r["test"].get<double>(), s["test"].get<double>()) << eval_out.str();
}

// The airbench pieces through `convlab train`: the whitening conv gets its
// filters from the first whiten_images normalised training images (and a
// frozen W1 keeps them), val comes from the training images, the last
// parameters are kept, and `convlab eval` reads such a run.
TEST_F(TrainE2E, WhiteningConvValidationFromTrainingAndKeepLast) {
  json cfg = json::parse(R"({
    "data": {"num_training": 300, "num_validation": 100, "validation": "from_training", "num_test": 100,
             "normalize": "mean_std"},
    "model": {"type": "sequential", "weight_scale": "pytorch", "layers": [
      {"type": "conv", "num_filters": 24, "filter_size": 2, "pad": 0, "init": "whiten", "whiten_images": 200},
      {"type": "gelu"},
      {"type": "max_pool", "pool_size": 4},
      {"type": "affine", "out_dim": 10, "bias": false}]},
    "solver": {"update_rule": "sgd_momentum", "optim_config": {"learning_rate": 1e-2}, "num_epochs": 2,
               "batch_size": 50, "keep": "last", "print_every": 100,
               "param_groups": [{"match": {"name": "W1"}, "frozen": true}]},
    "device": "cpu"
  })");
  const std::string run = (dir_ / "run").string();
  std::ostringstream out;
  ASSERT_EQ(train_into(cfg, run, out), 0) << out.str();
  EXPECT_NE(out.str().find("data-dependent init (whitening) from the first 200 training images\n"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("last val_acc"), std::string::npos) << out.str();
  const json summary = read_json(fs::path(run) / "summary.json");
  EXPECT_EQ(summary["keep"], "last");
  EXPECT_EQ(summary["validation"], "from_training");
  EXPECT_EQ(summary["best_epoch"], 2);
  EXPECT_EQ(summary["num_train"], 300);
  EXPECT_EQ(summary["num_val"], 100);

  // W1 as a model built alone and whitened on the same 200 images.
  const config::RunConfig rc = config::parse_run_config(cfg);
  const Cifar10Data data = get_cifar10_data(data_, cifar10_options(rc.data));
  NumpyRandom rng(rc.solver.seed);
  ModelPtr model = build_model(rc.model.spec, rng);
  model->init_from_data(data.train.range(0, 200).X);
  const SafeTensors ck = load_safetensors((fs::path(run) / "best.safetensors").string());
  EXPECT_LT(rel_error(ck.tensors.at("W1"), model->params().at("W1")), 1e-6);
  EXPECT_EQ(ck.tensors.count("b4"), 0u);  // the affine layer has no bias

  EvalOptions eo;
  eo.split = "val";
  eo.device = "cpu";
  std::ostringstream eval_out;
  const json r = eval_command(run, eo, eval_out);
  EXPECT_DOUBLE_EQ(r["val"].get<double>(), summary["val"].get<double>()) << r.dump();
}

TEST_F(TrainE2E, ResumeContinuesAfterTheLastEpoch) {
  json cfg = fc_config();
  cfg["data"]["path"] = data_;
  cfg["solver"]["num_epochs"] = 2;
  const std::string run = (dir_ / "run").string();
  TrainOptions opt;
  opt.out_dir = run;
  std::ostringstream out;
  ASSERT_EQ(train_command(write_config(cfg), opt, out), 0) << out.str();
  TrainOptions res;
  res.resume_dir = run;
  res.overrides = {"solver.num_epochs=3"};
  std::ostringstream out2;
  ASSERT_EQ(train_command("", res, out2), 0) << out2.str();
  EXPECT_NE(out2.str().find("resuming after epoch 2 of 3"), std::string::npos) << out2.str();
  EXPECT_EQ(out2.str().find("(Epoch 1 / 3)"), std::string::npos) << out2.str();
  EXPECT_NE(out2.str().find("(Epoch 3 / 3) train acc"), std::string::npos) << out2.str();
  const json h = read_json(fs::path(run) / "history.json");
  EXPECT_EQ(h["loss_history"].size(), 30u);
  EXPECT_EQ(h["check_epoch"], json({0, 1, 2, 3}));
}

TEST_F(TrainE2E, SmallConvnetAndSweep) {
  json cfg = json::parse(R"({
    "data": {"num_train": 100, "num_validation": 50, "num_test": 0},
    "model": {"type": "three_layer_convnet", "num_filters": 4, "filter_size": 3, "hidden_dim": 20,
              "weight_scale": 1e-2},
    "solver": {"update_rule": "adam", "optim_config": {"learning_rate": 1e-3}, "num_epochs": 1,
               "batch_size": 50, "verbose": false},
    "sweep": {"model.hidden_dim": [10, 20]}
  })");
  cfg["data"]["path"] = data_;
  TrainOptions opt;
  opt.out_dir = (dir_ / "sweep").string();
  opt.device = "cpu";
  std::ostringstream out;
  ASSERT_EQ(train_command(write_config(cfg), opt, out), 0) << out.str();
  EXPECT_NE(out.str().find("Sweep run 2 / 2: model.hidden_dim=20"), std::string::npos) << out.str();
  const json rows = read_json(dir_ / "sweep" / "sweep.json");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ / "sweep" / "run002" / "best.safetensors"));
  EXPECT_TRUE(fs::exists(dir_ / "sweep" / "sweep.csv"));
  const SafeTensors ck = load_safetensors((dir_ / "sweep" / "run001" / "best.safetensors").string());
  EXPECT_EQ(ck.tensors.at("W1").shape(), (Shape{4, 3, 3, 3}));
  EXPECT_EQ(ck.tensors.at("W2").shape(), (Shape{4 * 16 * 16, 10}));
}

TEST(TrainCommand, BadInputGivesClearErrors) {
  const fs::path dir = fs::temp_directory_path() / ("convlab-e2e-bad-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto err = [&](const std::string& text, const TrainOptions& opt) {
    const std::string p = (dir / "c.json").string();
    std::ofstream(p) << text;
    std::ostringstream out;
    try {
      train_command(p, opt, out);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  TrainOptions none;
  EXPECT_NE(err("{\"model\": {\"type\": \"fc_net\"}, \"solver\": {\"optim_config\": {\"learnig_rate\": 1}}}", none)
                .find("solver.optim_config.learnig_rate: unknown key (did you mean learning_rate?)"),
            std::string::npos);
  EXPECT_NE(err("{\"model\": {\"type\": \"fc_net\"", none).find("c.json: invalid JSON"), std::string::npos);
  TrainOptions bad_set;
  bad_set.overrides = {"solver.batch_size=-3"};
  EXPECT_NE(err("{\"model\": {\"type\": \"fc_net\"}}", bad_set).find("solver.batch_size: expected an integer"),
            std::string::npos);
  TrainOptions missing_data;
  missing_data.overrides = {"data.path=" + (dir / "nowhere").string()};
  EXPECT_NE(err("{\"model\": {\"type\": \"fc_net\"}, \"device\": \"cpu\"}", missing_data).find("to_cifar_bin.py"),
            std::string::npos);
  EXPECT_NE(err("{\"model\": {\"type\": \"linear_model\"}}", none).find("model.type"), std::string::npos);
  EXPECT_NE(err("{\"model\": {\"type\": \"fc_net\"}, \"device\": \"cpu\", \"precision\": \"tf32\"}", none)
                .find("precision: \"tf32\" runs on tensor cores and needs device cuda (this run's device is cpu)"),
            std::string::npos);
  EXPECT_NE(err("{\"model\": {\"type\": \"fc_net\"}, \"precision\": \"fp16\"}", none).find("precision"),
            std::string::npos);
  std::ostringstream out;
  try {
    train_command((dir / "absent.json").string(), none, out);
    ADD_FAILURE() << "no error for a missing config";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.json: cannot open config file"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}
