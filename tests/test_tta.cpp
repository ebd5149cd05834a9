// Test-time augmentation: the views (host/ops/tta/tta_views.h) against
// pictures flipped and shifted by hand, on the CPU and the GPU (emulator);
// the TTA scores of a model whose scores are two of its input pixels; the
// "evaluation" config; summary.json's val_tta/test_tta and `convlab eval --tta`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "expect_error.h"
#include "fake_cifar10.h"
#include "gpu_test_util.h"
#include "host/config/config.h"
#include "host/fill.h"
#include "host/ops/tta/tta_views.h"
#include "host/run/evaluate.h"
#include "host/run/train.h"
#include "host/solver/tta.h"
#include "models/model.h"
#include "test_util.h"

using namespace convlab;
using namespace convlab::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// (N=2, C=2, 3, 4): pixel (n, c, h, w) = 1000 n + 100 c + 10 h + w.
Tensor picture(DType dt = DType::f32) {
  std::vector<double> v;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 3; ++h)
        for (int w = 0; w < 4; ++w) v.push_back(1000 * n + 100 * c + 10 * h + w);
  return Tensor::from_vector(v, {2, 2, 3, 4}, dt);
}

// The expected view: one 3x4 plane written by hand, offset for every (n, c).
std::vector<double> planes(const std::vector<double>& plane) {
  std::vector<double> v;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 2; ++c)
      for (double p : plane) v.push_back(p + 1000 * n + 100 * c);
  return v;
}

TEST(TtaView, MatchesPicturesMadeByHand) {
  for (DType dt : {DType::f32, DType::f64}) {
    const Tensor x = picture(dt);
    EXPECT_EQ(tta_view(x, false, 0, 0).to_vector(), x.to_vector());
    EXPECT_EQ(tta_view(x, true, 0, 0).to_vector(), planes({3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20}));
    // Shifted with reflect padding: rows (1, 0, 1), columns (1, 0, 1, 2).
    EXPECT_EQ(tta_view(x, false, -1, -1).to_vector(), planes({11, 10, 11, 12, 1, 0, 1, 2, 11, 10, 11, 12}));
    // Rows (1, 2, 1), columns (1, 2, 3, 2).
    EXPECT_EQ(tta_view(x, false, 1, 1).to_vector(), planes({11, 12, 13, 12, 21, 22, 23, 22, 11, 12, 13, 12}));
    // Mirrored after the shift.
    EXPECT_EQ(tta_view(x, true, -1, -1).to_vector(), planes({12, 11, 10, 11, 2, 1, 0, 1, 12, 11, 10, 11}));
    EXPECT_EQ(tta_view(x, true, 1, 1).to_vector(), planes({12, 13, 12, 11, 22, 23, 22, 21, 12, 13, 12, 11}));
    EXPECT_EQ(tta_view(x, false, 1, 0).to_vector(), planes({10, 11, 12, 13, 20, 21, 22, 23, 10, 11, 12, 13}));
  }
}

// With the mean image: the view of the picture before the subtraction, less the mean.
TEST(TtaView, WithAMeanImageIsTheViewOfTheRawPicture) {
  const Tensor raw = picture();
  std::vector<double> m(2 * 3 * 4);
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = static_cast<double>(i * i % 7) - 2.5;  // not symmetric
  const Tensor mean = Tensor::from_vector(m, {2, 3, 4}, DType::f32);
  Tensor x = raw.clone();  // raw - mean, as Dataset::gather makes it
  for (int64_t i = 0; i < x.numel(); ++i) x.set_item(i, raw.item(i) - m[static_cast<std::size_t>(i % 24)]);
  for (bool flip : {false, true})
    for (int d : {-1, 0, 1}) {
      const Tensor want = tta_view(raw, flip, d, d);
      const Tensor got = tta_view(x, flip, d, d, mean);
      for (int64_t i = 0; i < got.numel(); ++i)
        EXPECT_FLOAT_EQ(got.item(i), want.item(i) - m[static_cast<std::size_t>(i % 24)]) << i;
    }
  EXPECT_ERROR_CONTAINS(tta_view(x, true, 0, 0, Tensor({3, 3, 4})), "tta_view: mean");
}

TEST(TtaView, RejectsBadInput) {
  EXPECT_ERROR_CONTAINS(tta_view(picture(), false, 2, 0), "shifts are -1, 0 or 1");
  EXPECT_ERROR_CONTAINS(tta_view(Tensor({2, 3, 4}), false, 0, 0), "tta_view: x");
  EXPECT_ERROR_CONTAINS(tta_view(Tensor({1, 1, 3, 1}), false, 0, 1), "at least 2 pixels");
  EXPECT_ERROR_CONTAINS(tta_view(Tensor({1, 1, 2, 2}, DType::i32), false, 0, 0), "tta_view: x");
  EXPECT_EQ(tta_view(Tensor::full({1, 1, 3, 1}, 5.0), true, 1, 0).to_vector(), (std::vector<double>{5, 5, 5}));
}

TEST(TtaViewGpu, MatchesCpu) {
  CONVLAB_REQUIRE_GPU();
  PoisonScope poison;
  for (DType dt : {DType::f32, DType::f64}) {
    NumpyRandom rng(11);
    const Tensor x = uniform(rng, {3, 2, 5, 7}, -1, 1, dt);
    const Tensor gx = x.to(Device::cuda);
    for (bool flip : {false, true})
      for (int d : {-1, 0, 1}) {
        const Tensor g = tta_view(gx, flip, d, d);
        EXPECT_EQ(g.device(), Device::cuda);
        EXPECT_EQ(g.to(Device::cpu).to_vector(), tta_view(x, flip, d, d).to_vector())
            << "flip " << flip << " shift " << d;
        const Tensor mean = uniform(rng, {2, 5, 7}, -1, 1, dt);
        EXPECT_GPU_MATCHES(tta_view(gx, flip, d, d, mean.to(Device::cuda)), tta_view(x, flip, d, d, mean), dt,
                           "tta_view with a mean image");
      }
  }
}

// Scores (N, 2) = (pixel (0, 0, 0), pixel (0, 1, 2)) of each picture.
class PixelModel : public Model {
 public:
  std::string type() const override { return "pixels"; }
  Tensor loss(const Tensor&, const Tensor&) override { throw Error("not trained"); }
  Tensor scores(const Tensor& X) override {
    const Tensor x = X.to(Device::cpu);
    const int64_t N = x.dim(0), plane = x.dim(1) * x.dim(2) * x.dim(3), W = x.dim(3);
    Tensor s({N, 2}, X.dtype());
    for (int64_t n = 0; n < N; ++n) {
      s.set_item(2 * n, x.item(n * plane));
      s.set_item(2 * n + 1, x.item(n * plane + W + 2));
    }
    ++calls;
    return s.to(X.device());
  }
  std::map<std::string, Tensor> params() override { return {}; }
  std::map<std::string, Tensor> grads() override { return {}; }
  void to(Device) override {}
  Device device() const override { return Device::cpu; }
  nlohmann::json describe() const override { return {{"type", "pixels"}}; }
  int calls = 0;
};

TEST(TtaScores, AverageTheViewsAsAirbench) {
  PixelModel m;
  const Tensor x = picture();
  // Views' scores (picture 0): x (0, 12), flip (3, 11), shift -1 (11, 1), its flip (12, 0),
  // shift +1 (11, 23), its flip (12, 22).
  EXPECT_EQ(tta_scores(m, x, TtaLevel::none).to_vector(), (std::vector<double>{0, 12, 1000, 1012}));
  EXPECT_EQ(m.calls, 1);
  // mirror: ((0 + 3) / 2, (12 + 11) / 2).
  EXPECT_EQ(tta_scores(m, x, TtaLevel::mirror).to_vector(), (std::vector<double>{1.5, 11.5, 1001.5, 1011.5}));
  EXPECT_EQ(m.calls, 3);
  // mirror_translate: 0.5 (1.5, 11.5) + 0.5 mean((11.5, 0.5), (11.5, 22.5)) = (6.5, 11.5).
  EXPECT_EQ(tta_scores(m, x, TtaLevel::mirror_translate).to_vector(), (std::vector<double>{6.5, 11.5, 1006.5, 1011.5}));
  EXPECT_EQ(m.calls, 9);
}

TEST(TtaScores, NamesAndErrors) {
  EXPECT_EQ(parse_tta("mirror_translate", "x"), TtaLevel::mirror_translate);
  EXPECT_STREQ(tta_name(TtaLevel::mirror), "mirror");
  EXPECT_ERROR_CONTAINS(parse_tta("flip", "--tta"), "--tta: expected one of");
}

TEST(TtaConfig, EvaluationSection) {
  json j = json::parse(R"({"model": {"type": "fc_net"}})");
  EXPECT_EQ(config::parse_run_config(j).evaluation.tta, TtaLevel::none);
  EXPECT_EQ(config::parse_run_config(j).resolved["evaluation"], json({{"tta", "none"}}));
  j["evaluation"] = {{"tta", "mirror"}};
  EXPECT_EQ(config::parse_run_config(j).evaluation.tta, TtaLevel::mirror);
  j["evaluation"] = {{"tta", "flip"}};
  EXPECT_ERROR_CONTAINS(config::parse_run_config(j), "evaluation.tta");
  j["evaluation"] = {{"ta", "mirror"}};
  EXPECT_ERROR_CONTAINS(config::parse_run_config(j), "evaluation.ta");
  j = json::parse(R"({"model": {"type": "linear_regression"}, "data": {"dataset": "libsvm"},
                      "evaluation": {"tta": "mirror"}})");
  EXPECT_ERROR_CONTAINS(config::parse_run_config(j), "needs pictures");
}

// The end of training reports val_tta/test_tta; `convlab eval --tta` agrees.
TEST(TtaRun, SummaryAndEvalReportTheTtaAccuracy) {
  const fs::path dir = fs::temp_directory_path() / ("convlab-tta-run-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  write_fake_cifar10(dir / "cifar", 20);
  json j = json::parse(R"({
    "data": {"num_training": 60, "num_validation": 20, "num_test": 20},
    "model": {"type": "three_layer_convnet", "num_filters": 4, "filter_size": 3, "hidden_dim": 8},
    "solver": {"update_rule": "adam", "optim_config": {"learning_rate": 1e-3}, "num_epochs": 1,
               "batch_size": 20, "verbose": false, "seed": 1},
    "evaluation": {"tta": "mirror_translate"},
    "device": "cpu"
  })");
  j["data"]["path"] = (dir / "cifar").string();
  const std::string cfg = (dir / "cfg.json").string();
  std::ofstream(cfg) << j.dump();
  TrainOptions opt;
  opt.out_dir = (dir / "run").string();
  std::ostringstream printed;
  ASSERT_EQ(train_command(cfg, opt, printed), 0) << printed.str();
  EXPECT_NE(printed.str().find("; tta mirror_translate: val acc "), std::string::npos) << printed.str();
  std::ifstream in(dir / "run" / "summary.json");
  const json s = json::parse(in);
  ASSERT_TRUE(s.contains("test_tta")) << s.dump();
  EXPECT_EQ(s["tta"], "mirror_translate");
  const double test_tta = s["test_tta"].get<double>();
  EXPECT_GE(test_tta, 0.0);
  EXPECT_LE(test_tta, 1.0);

  EvalOptions eo;
  eo.device = "cpu";
  eo.split = "all";
  eo.tta = "mirror_translate";
  std::ostringstream eval_out;
  const json r = eval_command((dir / "run").string(), eo, eval_out);
  EXPECT_DOUBLE_EQ(r["test_tta"].get<double>(), test_tta);
  EXPECT_DOUBLE_EQ(r["val_tta"].get<double>(), s["val_tta"].get<double>());
  EXPECT_DOUBLE_EQ(r["test"].get<double>(), s["test"].get<double>());
  EXPECT_NE(eval_out.str().find("test acc with tta mirror_translate"), std::string::npos) << eval_out.str();
  eo.tta = "flip";
  EXPECT_ERROR_CONTAINS(eval_command((dir / "run").string(), eo, eval_out), "--tta");
  fs::remove_all(dir);
}

}  // namespace
