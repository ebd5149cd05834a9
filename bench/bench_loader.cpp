// CPU benchmark of the training data loader: the Solver's step time for an
// augmented ThreeLayerConvNet run (batch 50, adam; translate 2 with reflect
// padding, alternating flip, cutout 8, "epoch" sampling) with the background
// prefetch thread on and off, and the time to make one batch alone
// (indices + augmentation draws + gather + augment + normalise).
// CIFAR-10 when its .bin files are found (host/data/cifar10.h), else random images.
//
//   bench_loader [--iterations N] [--threads T] [--normalize mean|mean_std] [--json FILE]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "bench_timing.h"
#include "host/data/cifar10.h"
#include "host/solver/solver.h"
#include "host/threads.h"
#include "models/three_layer_convnet.h"

using namespace convlab;

namespace {

struct Options {
  int64_t iterations = 200, batch = 50;
  int threads = 0, repeats = 3;
  std::string normalize = "mean_std", json;
};

Dataset random_images(int64_t n) {
  NumpyRandom rng(1);
  Tensor img({n, 3, 32, 32}, DType::u8);
  for (int64_t k = 0; k < img.numel(); ++k) img.data<uint8_t>()[k] = static_cast<uint8_t>(rng.randint(0, 256));
  std::vector<double> labels(static_cast<std::size_t>(n));
  for (auto& l : labels) l = static_cast<double>(rng.randint(0, 10));
  return Dataset(img, Tensor::from_vector(labels, {n}, DType::i32), Tensor::full({3, 32, 32}, 120.0, DType::f32));
}

SolverOptions solver_options(const Options& o, bool prefetch) {
  SolverOptions so;
  so.optim.rule = UpdateRule::adam;
  so.optim.learning_rate = 1e-3;
  so.batch_size = o.batch;
  so.num_epochs = 1;
  so.verbose = false;
  so.num_train_samples = 100;
  so.num_val_samples = 100;
  so.sampling = Sampling::epoch;
  so.seed = 231;
  so.prefetch = prefetch;
  so.augment.translate = 2;
  so.augment.pad_mode = PadMode::reflect;
  so.augment.flip = FlipMode::alternating;
  so.augment.cutout = 8;
  return so;
}

// Seconds per training step of one run over o.iterations steps (checks excluded).
double step_seconds(const Options& o, const Dataset& train, const Dataset& val, bool prefetch,
                    std::vector<double>* losses) {
  NumpyRandom rng(231);
  auto model = make_three_layer_convnet(ThreeLayerConvNetOptions{}, rng);
  std::ostringstream out;
  Solver solver(*model, train.head(o.iterations * o.batch), val, solver_options(o, prefetch), rng, out);
  if (!solver.train()) throw Error("bench_loader: training stopped: " + solver.stop_reason());
  *losses = solver.history().loss_history;
  return solver.train_seconds() / static_cast<double>(solver.iterations_done());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Times the Solver's step with and without the prefetch thread (augmented ThreeLayerConvNet run)"};
  app.add_option("--iterations", o.iterations, "training steps per run")->check(CLI::PositiveNumber);
  app.add_option("--threads", o.threads, "threads for OpenMP and OpenBLAS (0: one per core)");
  app.add_option("--repeats", o.repeats, "runs of each setting (the best is reported)")->check(CLI::PositiveNumber);
  app.add_option("--normalize", o.normalize, "mean or mean_std")->check(CLI::IsMember({"mean", "mean_std"}));
  app.add_option("--json", o.json, "also write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);
  set_num_threads(o.threads);

  Dataset train, val;
  std::string data = "random uint8 images";
  try {
    Cifar10Options copt;
    copt.num_training = 49000;
    copt.num_validation = 1000;
    copt.num_test = 0;
    copt.mean_std = o.normalize == "mean_std";
    const Cifar10Data d = get_cifar10_data(find_cifar10_dir(""), copt);
    train = d.train;
    val = d.val;
    data = "CIFAR-10 from " + d.dir + ", normalize " + o.normalize;
  } catch (const Error& e) {
    std::cerr << "bench_loader: no CIFAR-10 (" << e.what() << "); using random images\n";
    train = random_images(o.iterations * o.batch);
    val = random_images(100);
  }
  CONVLAB_CHECK(train.size() >= o.iterations * o.batch,
                "bench_loader: --iterations x 50 must be at most " << train.size() << " images");

  // One batch alone: draws + gather + augment + normalise, on this thread.
  const SolverOptions so = solver_options(o, false);
  const auto perm = epoch_permutation(so.seed, 0, train.size());
  const std::vector<int64_t> idx(perm.begin(), perm.begin() + o.batch);
  const bench::Timing batch_t = bench::time_it(
      [&] {
        const auto params = draw_augment(so.augment, so.seed, 0, 0, idx, 32, 32);
        const Batch b = train.gather(idx, params, so.augment.pad_mode);
      },
      5, 200, 2.0);
  std::printf("one batch (%lld images): median %.3f ms\n", static_cast<long long>(o.batch), batch_t.median_ms);

  nlohmann::json runs = nlohmann::json::array();
  double best[2] = {1e30, 1e30};
  std::vector<double> losses[2];
  for (int r = 0; r < o.repeats; ++r)
    for (int p = 1; p >= 0; --p) {
      const double s = step_seconds(o, train, val, p == 1, &losses[p]);
      best[p] = std::min(best[p], s);
      runs.push_back({{"prefetch", p == 1}, {"step_ms", s * 1e3}});
      std::printf("prefetch %-3s step %.3f ms (%.0f images/s)\n", p ? "on" : "off", s * 1e3,
                  static_cast<double>(o.batch) / s);
      std::fflush(stdout);
    }
  const bool same = losses[0] == losses[1];
  std::printf("best: prefetch on %.3f ms, off %.3f ms per step (%.1f%% faster); losses identical: %s\n", best[1] * 1e3,
              best[0] * 1e3, 100.0 * (best[0] - best[1]) / best[0], same ? "yes" : "no");
  if (!o.json.empty()) {
    nlohmann::json j = {{"what", "Solver step time with and without the prefetch thread, augmented ThreeLayerConvNet"},
                        {"data", data},
                        {"batch_size", o.batch},
                        {"iterations", o.iterations},
                        {"threads", get_num_threads()},
                        {"augment", "translate 2 reflect, alternating flip, cutout 8; sampling epoch; adam"},
                        {"one_batch_ms", batch_t.median_ms},
                        {"step_ms_prefetch_on", best[1] * 1e3},
                        {"step_ms_prefetch_off", best[0] * 1e3},
                        {"losses_identical", same},
                        {"runs", runs}};
    std::ofstream(o.json) << j.dump(1) << "\n";
  }
  return same ? 0 : 1;
}
