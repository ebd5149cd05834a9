// The classifier pipeline of `convlab train`: CIFAR-10 -> model -> Solver ->
// run folder (see host/run/train.h).
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <ostream>

#include "host/data/cifar10.h"
#include "host/dist/communicator.h"
#include "host/run/resume_state.h"
#include "host/run/run_files.h"
#include "host/run/train.h"
#include "kernels/runtime/cuda_device.h"
#include "models/model_factory.h"

namespace convlab {

namespace {
bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

// The runs of a sweep share their data: the last loaded split is kept (host
// memory, uint8) and reused when folder and sizes are the same.
const Cifar10Data& load_cifar10_cached(const std::string& dir, const Cifar10Options& o) {
  static std::string key;
  static Cifar10Data data;
  const std::string k = dir + "|" + std::to_string(o.num_training) + "|" + std::to_string(o.num_validation) +
                        (o.validation_from_training ? "t|" : "|") + std::to_string(o.num_test) + "|" +
                        (o.subtract_mean ? "1" : "0") + (o.mean_std ? "s" : "");
  if (k != key) {
    key.clear();
    data = get_cifar10_data(dir, o);
    key = k;
  }
  return data;
}
}  // namespace

RunResult train_classifier(const config::RunConfig& cfg, const RunContext& ctx) {
  std::ostream& out = *ctx.out;
  const auto t0 = std::chrono::steady_clock::now();
  NumpyRandom rng(cfg.solver.seed);
  ModelPtr model = build_model(cfg.model.spec, rng);

  const std::string data_dir = find_cifar10_dir(cfg.data.path);
  const Cifar10Data& data = load_cifar10_cached(data_dir, cifar10_options(cfg.data));
  Dataset train = cfg.data.num_train > 0 ? data.train.head(cfg.data.num_train) : data.train;
  CONVLAB_CHECK(data.val.size() > 0, "data.num_validation: the Solver needs a validation set (>= 1 image)");

  // Data-dependent initialisation (a whitening conv), on the CPU before the move.
  int64_t init_images = 0;
  if (const int64_t n = model->data_init_samples(); n > 0 && !ctx.resume) {
    init_images = std::min(n, train.size());
    model->init_from_data(train.range(0, init_images).X);
  }

  const Device dev = ctx.device;
  model->to(dev);
  train = train.to(dev);
  Dataset val = data.val.to(dev);
  Dataset test = data.test.size() > 0 ? data.test.to(dev) : Dataset();
  const std::string dev_name = dev == Device::cuda ? "cuda (" + cuda::device_name() + ")" : "cpu";
  // world()'s ranks; on GPUs their collectives run on NCCL when the build has it.
  dist::Communicator& comm = dist::training_communicator(dev);
  // Rank 0 prints and writes the run folder; the other ranks have no folder.
  RunFolder* folder = ctx.folder;
  CONVLAB_CHECK(folder != nullptr || comm.rank() != 0, "train_classifier: rank 0 needs a run folder");
  out << "convlab train: " << cfg.model.type << " on " << dev_name << "; " << train.size() << " train / " << val.size()
      << " val / " << test.size() << " test images from " << data_dir << "; run folder "
      << (folder ? folder->path() : std::string("(rank 0's)")) << "\n";
  if (comm.size() > 1)
    out << "  data-parallel: " << comm.size() << " ranks (" << comm.backend() << "), " << cfg.solver.batch_size
        << " images per step, " << cfg.solver.batch_size / comm.size() << " per rank\n";
  for (const std::string& line : model->plan()) out << "  plan: " << line << "\n";
  if (init_images > 0)
    out << "  data-dependent init (whitening) from the first " << init_images << " training images"
        << (init_images < model->data_init_samples() ? " (fewer than asked: the training set is smaller)" : "") << "\n";
  out.flush();

  SolverOptions so = solver_options(cfg.solver);
  so.augment = cfg.data.augment;
  so.prefetch = cfg.data.prefetch;
  so.progress =
      comm.rank() == 0 && (cfg.solver.progress == "on" || (cfg.solver.progress == "auto" && stdout_is_terminal()));
  so.comm = &comm;
  Solver solver(*model, train, val, so, rng, out);
  out << "  lr schedule: "
      << describe_lr_schedule(solver.lr_schedule(), so.optim.lr(), solver.num_iterations(),
                              solver.iterations_per_epoch())
      << "\n";
  // The rest of the recipe, as resolved (defaults filled in).
  const nlohmann::json& rd = cfg.resolved["data"];
  out << "  data: normalize " << rd.value("normalize", std::string("mean")) << ", sampling " << cfg.solver.sampling
      << ", augment " << (so.augment.enabled() ? rd["augment"].dump() : std::string("off")) << ", prefetch "
      << (so.prefetch && dev == Device::cpu ? "on" : "off") << "\n";
  if (so.averaging.type != WeightAveragingConfig::Type::none)
    out << "  weight averaging: " << weight_averaging_json(so.averaging).dump() << "\n";
  if (cfg.evaluation.tta != TtaLevel::none) out << "  test-time augmentation: " << tta_name(cfg.evaluation.tta) << "\n";

  nlohmann::json resolved = cfg.resolved;
  resolved["data"]["path"] = data_dir;
  resolved["model"] = cfg.model.spec;
  const std::string metric = model->metric().name;
  if (ctx.resume) {
    // Reads and checks the whole resume state before anything in the folder changes.
    load_resume_state(folder, *model, solver, comm);
    rng.seed_(cfg.solver.seed + static_cast<uint32_t>(solver.epoch()));
  }
  if (!folder) {
    // A rank other than 0: trains its shard in step with rank 0, writes nothing.
    const bool ok = solver.train();
    return {ok, nlohmann::json{{"status", ok ? "ok" : "stopped"}, {"rank", comm.rank()}}};
  }
  folder->begin_writing();
  write_run_json(*folder, "config.json", resolved);
  if (ctx.resume) {
    // A kill between the best and the last checkpoint leaves a best.safetensors
    // newer than the state resumed from: put back the one that state records.
    if (cfg.output.save_checkpoint && solver.best_epoch() >= 0)
      write_best_checkpoint(*folder, solver.best_state(), resolved, model->type(), solver.best_epoch(), metric,
                            solver.best_val_metric());
    out << "resuming after epoch " << solver.epoch() << " of " << cfg.solver.num_epochs << "\n";
  }

  solver.on_check = [&](int64_t epoch, bool improved) {
    write_history(*folder, solver);
    if (improved && cfg.output.save_checkpoint)
      write_best_checkpoint(*folder, solver.best_state(), resolved, model->type(), epoch, metric,
                            solver.best_val_metric());
    // After every full epoch, and at the end of a last, partial one (fractional num_epochs).
    const int64_t done = solver.iterations_done() + 1;
    if (epoch > 0 && cfg.output.save_checkpoint &&
        (done == epoch * solver.iterations_per_epoch() || done == solver.num_iterations()))
      write_resume_state(*folder, *model, solver);
  };
  const bool ok = solver.train();
  write_history(*folder, solver);
  write_training_plot(*folder, out);  // training.png; a missing gnuplot only warns

  const History& h = solver.history();
  nlohmann::json s;
  s["status"] = ok ? "ok" : "stopped";
  if (!ok) s["stop_reason"] = solver.stop_reason();
  s["model_type"] = model->type();
  s["metric"] = metric;
  s["best_val"] = solver.best_epoch() >= 0 ? nlohmann::json(solver.best_val_metric()) : nlohmann::json(nullptr);
  s["best_epoch"] = solver.best_epoch();
  s["keep"] = cfg.solver.keep;            // "last": best_* are the last check's
  s["validation"] = cfg.data.validation;  // "from_training": val images are training images
  s["val"] = s["best_val"];
  s["train"] = nullptr;
  for (std::size_t i = 0; i < h.check_epoch.size(); ++i)
    if (h.check_epoch[i] == solver.best_epoch()) s["train"] = h.train_metric[i];
  s["final_train"] = h.train_metric.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.train_metric.back());
  s["final_val"] = h.val_metric.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.val_metric.back());
  s["final_loss"] = h.loss_history.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.loss_history.back());
  s["test"] = nullptr;
  if (test.size() > 0 && solver.best_epoch() >= 0) s["test"] = solver.check_metric(test, -1);
  // Test-time augmentation (evaluation.tta) of the kept parameters on the whole val and test sets.
  const TtaLevel tta = cfg.evaluation.tta;
  if (tta != TtaLevel::none && solver.best_epoch() >= 0) {
    s["tta"] = tta_name(tta);
    s["val_tta"] = solver.check_metric(val, -1, tta);
    s["test_tta"] = test.size() > 0 ? nlohmann::json(solver.check_metric(test, -1, tta)) : nlohmann::json(nullptr);
  }
  s["epochs"] = solver.epoch();
  s["iterations"] = solver.iterations_done();
  s["train_time_s"] = solver.train_seconds();
  s["images_per_s"] = solver.images_per_second();
  if (comm.size() > 1) {
    s["ranks"] = comm.size();
    s["allreduce_s"] = solver.allreduce_seconds();
    s["allreduce_bytes_per_step"] = solver.allreduce_bytes();
  }
  s["time_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s["device"] = device_name(dev);
  s["device_name"] = dev == Device::cuda ? cuda::device_name() : std::string("cpu");
  s["num_train"] = train.size();
  s["num_val"] = val.size();
  s["num_test"] = test.size();
  write_run_json(*folder, "summary.json", s);

  char line[256];
  std::snprintf(line, sizeof line, "%s val_%s %f (epoch %lld)", cfg.solver.keep == "last" ? "last" : "best",
                metric.c_str(), solver.best_val_metric(), static_cast<long long>(solver.best_epoch()));
  out << line;
  if (!s["test"].is_null()) {
    std::snprintf(line, sizeof line, "; test %s %f", metric.c_str(), s["test"].get<double>());
    out << line;
  }
  if (s.contains("val_tta")) {
    std::snprintf(line, sizeof line, "; tta %s: val %s %f", tta_name(tta), metric.c_str(), s["val_tta"].get<double>());
    out << line;
    if (!s["test_tta"].is_null()) {
      std::snprintf(line, sizeof line, ", test %s %f", metric.c_str(), s["test_tta"].get<double>());
      out << line;
    }
  }
  std::snprintf(line, sizeof line, "; %.1f s, %.0f images/s; run folder %s\n", s["time_s"].get<double>(),
                solver.images_per_second(), folder->path().c_str());
  out << line;
  out.flush();
  return {ok, s};
}

}  // namespace convlab
