// CPU benchmark: the threaded ("cpu/threaded") and reference CPU variants of conv,
// max_pool and affine on the seeds' shapes, and one ThreeLayerConvNet
// training step (batch 50, adam) composed from the ops with each variant and
// through the model (models/three_layer_convnet.h: loss and gradients with
// the default variants, then the adam update), in float32.
// Each timing: warm-up runs, then the median of repeated runs.
//
//   bench_cpu_train_step [--threads N] [--reps R] [--warmup W] [--budget S]
//                        [--skip-reference] [--step-only] [--json FILE]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "host/fill.h"
#include "host/ops/affine/affine.h"
#include "host/ops/conv/conv.h"
#include "host/ops/loss/loss.h"
#include "host/ops/max_pool/max_pool.h"
#include "host/ops/optim/optim.h"
#include "host/ops/relu/relu.h"
#include "host/threads.h"
#include "models/three_layer_convnet.h"

using namespace convlab;
using bench::Timing;

namespace {

struct Options {
  int threads = 0, reps = 20, warmup = 3;
  double budget_s = 5.0;
  bool skip_reference = false;
  bool step_only = false;
  std::string json;
};

struct Row {
  std::string what, shape, variant;
  Timing t;
};

Tensor rand_f32(NumpyRandom& rng, Shape s, double scale = 1.0) { return randn(rng, std::move(s), DType::f32, scale); }

// ThreeLayerConvNet (cs231n): conv 7x7 (32 filters, pad 3) - relu - 2x2 max
// pool - affine 100 - relu - affine 10 - softmax, on 3x32x32 inputs.
struct ThreeLayerNet {
  Tensor W1, b1, W2, b2, W3, b3;
  std::vector<ParamSlot> slots;
  int64_t t = 0;

  explicit ThreeLayerNet(NumpyRandom& rng) {
    W1 = rand_f32(rng, {32, 3, 7, 7}, 1e-3), b1 = Tensor({32}, DType::f32);
    W2 = rand_f32(rng, {32 * 16 * 16, 100}, 1e-3), b2 = Tensor({100}, DType::f32);
    W3 = rand_f32(rng, {100, 10}, 1e-3), b3 = Tensor({10}, DType::f32);
  }

  // Forward, backward and one adam update with every op's `variant`.
  double step(const Tensor& X, const Tensor& y, const std::string& v) {
    auto c1 = conv_forward(X, W1, b1, ConvParam{1, 3}, v);
    auto r1 = relu_forward(c1.out, v);
    auto p1 = max_pool_forward(r1.out, PoolParam{2, 2, 2}, v);
    auto a2 = affine_forward(p1.out, W2, b2, v);
    auto r2 = relu_forward(a2.out, v);
    auto a3 = affine_forward(r2.out, W3, b3, v);
    LossOut loss = softmax_loss(a3.out, y, v);
    Grads g3 = affine_backward(loss.dx, a3.cache, v);
    Grads g2 = affine_backward(relu_backward(g3.dx, r2.cache, v), a2.cache, v);
    // The first layer's input is data: no dx (PyTorch skips it the same way).
    Grads g1 = conv_backward_params(relu_backward(max_pool_backward(g2.dx, p1.cache, v), r1.cache, v), c1.cache, v);
    if (slots.empty())
      slots = {{W1, g1.dw, {}, {}}, {b1, g1.db, {}, {}}, {W2, g2.dw, {}, {}},
               {b2, g2.db, {}, {}}, {W3, g3.dw, {}, {}}, {b3, g3.db, {}, {}}};
    const Tensor* grads[] = {&g1.dw, &g1.db, &g2.dw, &g2.db, &g3.dw, &g3.db};
    for (std::size_t i = 0; i < slots.size(); ++i) slots[i].dw = *grads[i];
    OptimConfig adam;
    adam.rule = UpdateRule::adam;
    optim_step(slots, adam, ++t, v);
    return loss.value();
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Times the threaded and reference CPU ops on the seeds' shapes and a ThreeLayerConvNet step"};
  app.add_option("--threads", o.threads, "threads for OpenMP and OpenBLAS (0: one per core)");
  app.add_option("--reps", o.reps, "timed repetitions (at most)")->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup, "untimed runs first")->check(CLI::NonNegativeNumber);
  app.add_option("--budget", o.budget_s, "seconds of timed runs per measurement before stopping early (min 3 runs)");
  app.add_flag("--skip-reference", o.skip_reference, "time only the threaded variants");
  app.add_flag("--step-only", o.step_only, "time only the ThreeLayerConvNet model's training step");
  app.add_option("--json", o.json, "also write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  set_num_threads(o.threads);
  const std::string load_before = bench::loadavg();
  std::vector<std::string> variants{"threaded"};
  if (!o.skip_reference) variants.push_back("reference");
  NumpyRandom rng(0);
  std::vector<Row> rows;
  auto time = [&](const std::string& what, const std::string& shape, const std::string& v,
                  const std::function<void()>& f) {
    rows.push_back({what, shape, v, bench::time_it(f, o.warmup, o.reps, o.budget_s)});
    const Row& r = rows.back();
    std::printf("%-22s %-38s %-10s median %9.3f ms  min %9.3f ms  (%d runs)\n", r.what.c_str(), r.shape.c_str(),
                r.variant.c_str(), r.t.median_ms, r.t.min_ms, r.t.reps);
    std::fflush(stdout);
  };

  if (!o.step_only) {  // the ops one by one, then the step composed from them
    struct ConvCase {
      Shape x, w;
      ConvParam p;
      std::string label;
    };
    for (const ConvCase& c : {ConvCase{{100, 3, 31, 31}, {25, 3, 3, 3}, {2, 1}, "x(100,3,31,31) w(25,3,3,3) s2 p1"},
                              ConvCase{{50, 3, 32, 32}, {32, 3, 7, 7}, {1, 3}, "x(50,3,32,32) w(32,3,7,7) s1 p3"}}) {
      Tensor x = rand_f32(rng, c.x), w = rand_f32(rng, c.w), b = rand_f32(rng, {c.w[0]});
      for (const auto& v : variants) {
        auto fwd = conv_forward(x, w, b, c.p, v);
        Tensor dout = rand_f32(rng, fwd.out.shape());
        time("conv_forward", c.label, v, [&] { conv_forward(x, w, b, c.p, v); });
        time("conv_backward", c.label, v, [&] { conv_backward(dout, fwd.cache, v); });
      }
    }
    for (const auto& [xs, label] : {std::pair<Shape, std::string>{{100, 3, 32, 32}, "x(100,3,32,32) 2x2 s2"},
                                    std::pair<Shape, std::string>{{50, 32, 32, 32}, "x(50,32,32,32) 2x2 s2"}}) {
      Tensor x = rand_f32(rng, xs);
      for (const auto& v : variants) {
        auto fwd = max_pool_forward(x, PoolParam{2, 2, 2}, v);
        Tensor dout = rand_f32(rng, fwd.out.shape());
        time("max_pool_forward", label, v, [&] { max_pool_forward(x, PoolParam{2, 2, 2}, v); });
        time("max_pool_backward", label, v, [&] { max_pool_backward(dout, fwd.cache, v); });
      }
    }
    {
      Tensor x = rand_f32(rng, {50, 32, 16, 16}), w = rand_f32(rng, {8192, 100}), b = rand_f32(rng, {100});
      const std::string label = "x(50,32,16,16) w(8192,100)";
      for (const auto& v : variants) {
        auto fwd = affine_forward(x, w, b, v);
        Tensor dout = rand_f32(rng, fwd.out.shape());
        time("affine_forward", label, v, [&] { affine_forward(x, w, b, v); });
        time("affine_backward", label, v, [&] { affine_backward(dout, fwd.cache, v); });
      }
    }
    {
      Tensor X = rand_f32(rng, {50, 3, 32, 32});
      Tensor y = randint(rng, 0, 10, 50);
      for (const auto& v : variants) {
        ThreeLayerNet net(rng);
        time("three_layer_step", "batch 50, adam (ops composed)", v, [&] { net.step(X, y, v); });
      }
    }
  }

  {
    // The model's step: loss(X, y) fills the gradients, then adam updates every parameter.
    Tensor X = rand_f32(rng, {50, 3, 32, 32});
    Tensor y = randint(rng, 0, 10, 50);
    ThreeLayerConvNetOptions mo;
    auto model = make_three_layer_convnet(mo, rng);
    std::vector<ParamSlot> slots;
    OptimConfig adam;
    adam.rule = UpdateRule::adam;
    int64_t t = 0;
    time("three_layer_model_step", "batch 50, adam (ThreeLayerConvNet model)", "default", [&] {
      model->loss(X, y);
      auto params = model->params();
      auto grads = model->grads();
      if (slots.empty())
        for (auto& [name, w] : params) slots.push_back({w, grads.at(name), {}, {}});
      std::size_t i = 0;
      for (auto& kv : params) slots[i++].dw = grads.at(kv.first);
      optim_step(slots, adam, ++t);
    });
  }

  if (!o.json.empty()) {
    nlohmann::json j;
    std::string cmd;
    for (int i = 0; i < argc; ++i) cmd += (i ? " " : "") + std::string(i ? argv[i] : "bench_cpu_train_step");
    j["command"] = cmd;
    j["date"] = bench::utc_now_iso();
    j["machine"] = {{"nproc", bench::online_cpus()}, {"cpu", bench::cpu_model()}, {"loadavg_before", load_before}};
    j["threads"] = get_num_threads();
    j["dtype"] = "float32";
    for (const Row& r : rows)
      j["results"].push_back({{"op", r.what},
                              {"shape", r.shape},
                              {"variant", r.variant},
                              {"median_ms", r.t.median_ms},
                              {"min_ms", r.t.min_ms},
                              {"runs", r.t.reps}});
    std::ofstream(o.json) << j.dump(2) << "\n";
  }
  return 0;
}
