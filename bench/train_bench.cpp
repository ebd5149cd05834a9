// convlab_train_bench: times full training steps (forward, loss, backward,
// update) of the benchmark models on the CPU and CUDA: ThreeLayerConvNet
// and the FC net with batchnorm ([100]*5) at batch 50 and 128, and the
// model of configs/best.json at batch 128; Adam (lr 1e-3) on random images
// and labels, rotated among several batches. The step is the Solver's:
// begin_step, loss (forward + backward), then one optim_step over every
// parameter with its state kept across steps.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/case_builder.h"
#include "bench/harness.h"
#include "bench/report.h"
#include "host/ops/optim/optim.h"
#include "host/ops/registry.h"
#include "host/solver/solver.h"
#include "models/model_factory.h"

namespace convlab::bench {
namespace {

struct ModelCase {
  std::string name;
  nlohmann::json spec;
  std::vector<int64_t> batches;
};

std::vector<int64_t> parse_batches(const std::string& s) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    CONVLAB_CHECK(used == item.size() && v > 0, "train_bench: --batches takes positive integers, got '" << item << "'");
    out.push_back(v);
  }
  CONVLAB_CHECK(!out.empty(), "train_bench: --batches needs at least one batch size");
  return out;
}

// The Solver's training step over one model with persistent optimiser state.
class Trainer {
 public:
  Trainer(ModelPtr model, OptimConfig cfg) : model_(std::move(model)), cfg_(cfg) {}
  void step(const Tensor& X, const Tensor& y) {
    model_->begin_step(t_);
    loss_ = model_->loss(X, y);
    update_parameters(*model_, state_, cfg_, ++t_);
  }
  double last_loss() const { return loss_.to(Device::cpu).item(); }
  int64_t num_params() {
    int64_t n = 0;
    for (auto& kv : model_->params()) n += kv.second.numel();
    return n;
  }

 private:
  ModelPtr model_;
  OptimConfig cfg_;
  std::map<std::string, OptimState> state_;
  Tensor loss_;
  int64_t t_ = 0;
};

int run_main(int argc, char** argv) {
  std::string device = "all", models_opt = "three_layer_convnet,fc_bn,best", batches_opt = "50,128";
  std::string best_path = "configs/best.json", json_path, cpu_models, precisions_opt = "fp32";
  int reps = 20, warmup = -1, min_reps = 3;
  double budget = -1;
  CLI::App app{"convlab training-step benchmark"};
  app.add_option("--device", device, "cpu, cuda or all")->check(CLI::IsMember({"cpu", "cuda", "all"}));
  app.add_option("--models", models_opt, "three_layer_convnet, fc_bn, best (comma-separated)");
  app.add_option("--cpu-models", cpu_models,
                 "models on the CPU (default: three_layer_convnet,fc_bn; best takes seconds a step there)");
  app.add_option("--batches", batches_opt, "batch sizes (best always uses 128)");
  app.add_option("--best-config", best_path, "run config whose model section is the `best` model");
  app.add_option("--reps", reps, "timed steps")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "untimed steps first (default: 2 on the CPU, 10 on CUDA)");
  app.add_option("--min-reps", min_reps, "the time budget never cuts steps below this")->check(CLI::PositiveNumber);
  app.add_option("--budget", budget, "seconds per model and batch (default: 5 on the CPU, 10 on CUDA)");
  app.add_option("--json", json_path, "also write the results as JSON to this file");
  app.add_option("--precisions", precisions_opt,
                 "on CUDA, the run precisions to time (fp32, tf32, bf16; comma-separated; the CPU runs fp32)");
  CLI11_PARSE(app, argc, argv);
  std::vector<MathPrecision> precisions;
  for (const std::string& p : split(precisions_opt)) precisions.push_back(parse_math_precision(p));
  CONVLAB_CHECK(!precisions.empty(), "train_bench: --precisions names none");

  const auto batches = parse_batches(batches_opt);
  std::vector<ModelCase> all{
      {"three_layer_convnet", {{"type", "three_layer_convnet"}}, batches},
      {"fc_bn",
       {{"type", "fc_net"}, {"hidden_dims", {100, 100, 100, 100, 100}}, {"normalization", "batchnorm"}},
       batches}};
  if (std::filesystem::is_regular_file(best_path)) {
    std::ifstream in(best_path);
    nlohmann::json cfg;
    try {
      cfg = nlohmann::json::parse(in, nullptr, true, true);
    } catch (const nlohmann::json::exception& e) {
      throw Error("train_bench: " + best_path + ": " + e.what());
    }
    CONVLAB_CHECK(cfg.is_object() && cfg.contains("model"),
                  "train_bench: " << best_path << " has no \"model\" section");
    all.push_back({"best", cfg["model"], {128}});
  } else {
    std::cerr << "train_bench: " << best_path << " not found: no `best` model (use --best-config)\n";
  }
  auto wanted = [](const std::string& list, const std::string& name) {
    return ("," + list + ",").find("," + name + ",") != std::string::npos;
  };
  if (cpu_models.empty()) cpu_models = "three_layer_convnet,fc_bn";

  std::vector<std::pair<std::unique_ptr<Backend>, MeasureConfig>> runs;
  if (device != "cuda") {
    MeasureConfig c;
    c.warmup = warmup >= 0 ? warmup : 2;
    c.budget_s = budget > 0 ? budget : 5.0;
    runs.emplace_back(make_cpu_backend(), c);
  }
  if (device != "cpu") {
    std::string why;
    auto b = make_cuda_backend(why);
    if (!b) {
      if (device == "cuda") throw Error("train_bench: --device cuda: " + why);
      std::cerr << "train_bench: skipping CUDA: " << why << "\n";
    } else {
      MeasureConfig c;
      c.warmup = warmup >= 0 ? warmup : 10;
      c.budget_s = budget > 0 ? budget : 10.0;
      runs.emplace_back(std::move(b), c);
    }
  }

  nlohmann::json rows = nlohmann::json::array();
  nlohmann::json devices = nlohmann::json::array();
  std::printf("%-20s %6s %5s %5s %12s %10s %10s %6s %12s %10s\n", "model", "batch", "dev", "prec", "median ms",
              "IQR ms", "min ms", "reps", "images/s", "loss");
  for (auto& [backend, cfg] : runs) {
    cfg.reps = reps;
    cfg.min_reps = std::min(min_reps, reps);
    const Device dev = backend->device();
    devices.push_back({{"device", device_name(dev)}, {"name", backend->name()}});
    for (const auto& mc : all) {
      if (!wanted(models_opt, mc.name)) continue;
      if (dev == Device::cpu && !wanted(cpu_models, mc.name)) continue;
      for (int64_t B : mc.batches)
        for (const MathPrecision precision : precisions) {
          if (dev == Device::cpu && precision != MathPrecision::full) continue;
          const char* prec = math_precision_name(precision);
          nlohmann::json row{{"model", mc.name}, {"batch", B}, {"device", device_name(dev)}, {"precision", prec}};
          try {
            ScopedMathPrecision scope(Device::cuda, precision);
            NumpyRandom rng(231);
            ModelPtr model = build_model(mc.spec, rng);
            model->to(dev);
            OptimConfig oc;
            oc.rule = UpdateRule::adam;
            oc.learning_rate = 1e-3;
            Trainer trainer(std::move(model), oc);
            const int sets = 4;
            std::vector<Tensor> X, y;
            for (int s = 0; s < sets; ++s) {
              X.push_back(random_tensor({B, 3, 32, 32}, dev, 100 + static_cast<uint64_t>(s)));
              y.push_back(random_labels(B, 10, dev, 200 + static_cast<uint64_t>(s)));
            }
            PassSpec pass{"step", {}, [&](int i) { trainer.step(X[i], y[i]); }};
            const Measurement m = measure(pass, backend->timer(), sets, cfg);
            const double loss = trainer.last_loss();
            const auto& s = m.ms;
            row["ms"] = {{"median", s.median}, {"q1", s.q1},   {"q3", s.q3},
                         {"min", s.min},       {"max", s.max}, {"mean", s.mean}};
            row["images_per_s"] = static_cast<double>(B) / (s.median / 1e3);
            row["reps"] = m.reps;
            row["warmup"] = m.warmup;
            row["reps_reduced_by_budget"] = m.reduced;
            row["params"] = trainer.num_params();
            row["last_loss"] = loss;
            std::printf("%-20s %6lld %5s %5s %12.3f %10.3f %10.3f %5d%s %12.0f %10.4f\n", mc.name.c_str(),
                        static_cast<long long>(B), device_name(dev), prec, s.median, s.iqr(), s.min, m.reps,
                        m.reduced ? "*" : " ", static_cast<double>(B) / (s.median / 1e3), loss);
          } catch (const std::exception& e) {
            row["error"] = e.what();
            std::printf("%-20s %6lld %5s %5s error: %s\n", mc.name.c_str(), static_cast<long long>(B), device_name(dev),
                        prec, e.what());
          }
          std::fflush(stdout);
          rows.push_back(row);
        }
    }
  }
  std::printf("One step = forward, loss, backward and an Adam update of every parameter; reps* = cut by --budget.\n");
  if (!json_path.empty()) {
    std::string cmd;
    for (int i = 0; i < argc; ++i) cmd += (i ? " " : "") + std::string(argv[i]);
    nlohmann::json doc{{"schema", "convlab-train-bench/1"},
                       {"date", utc_timestamp()},
                       {"command", cmd},
                       {"devices", devices},
                       {"rows", rows}};
    std::ofstream out(json_path);
    CONVLAB_CHECK(out.good(), "train_bench: cannot write --json file '" << json_path << "'");
    out << doc.dump(2) << "\n";
    std::printf("wrote %s\n", json_path.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace convlab::bench

int main(int argc, char** argv) {
  try {
    return convlab::bench::run_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "convlab_train_bench: " << e.what() << "\n";
    return 1;
  }
}
