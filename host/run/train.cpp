#include "host/run/train.h"

#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "host/config/sweep.h"
#include "host/dist/communicator.h"
#include "host/ops/registry.h"
#include "host/run/run_files.h"
#include "kernels/runtime/cuda_device.h"

namespace convlab {

namespace fs = std::filesystem;

const std::map<std::string, TrainHandler>& train_handlers() {
  // Model type -> training function. Add model families with their own
  // training path here (e.g. {"linear_regression", train_linear_regression}).
  static const std::map<std::string, TrainHandler> handlers = {
      {"three_layer_convnet", train_classifier}, {"fc_net", train_classifier},
      {"sequential", train_classifier},          {"linear_regression", train_regression},
      {"ridge_regression", train_regression},    {"linear_regression_sgd", train_regression},
  };
  return handlers;
}

SolverOptions solver_options(const config::SolverConfig& solver) {
  SolverOptions so;
  so.optim = solver.optim;
  so.param_groups = solver.param_groups;
  so.lr_decay = solver.lr_decay;
  so.lr_schedule = solver.lr_schedule;
  so.batch_size = solver.batch_size;
  so.num_epochs = solver.num_epochs;
  so.num_train_samples = solver.num_train_samples;
  so.num_val_samples = solver.num_val_samples;
  so.print_every = solver.print_every;
  so.verbose = solver.verbose;
  so.averaging = solver.averaging;
  so.sampling = parse_sampling(solver.sampling);
  so.keep_last = solver.keep == "last";
  so.seed = solver.seed;
  return so;
}

Cifar10Options cifar10_options(const config::DataConfig& data) {
  Cifar10Options o;
  o.num_training = data.num_training;
  o.num_validation = data.num_validation;
  o.num_test = data.num_test;
  o.subtract_mean = data.subtract_mean;
  o.mean_std = data.normalize == "mean_std";
  o.validation_from_training = data.validation == "from_training";
  return o;
}

Device resolve_device(const std::string& name) {
  if (name == "cpu") return Device::cpu;
  if (name == "cuda") {
    CONVLAB_CHECK(cuda::available(), "device: \"cuda\" requested but no GPU is usable: " << cuda::no_gpu_reason()
                                                                                         << " (use --device cpu)");
    return Device::cuda;
  }
  CONVLAB_CHECK(name == "auto" || name.empty(), "device: expected auto, cpu or cuda, got \"" << name << "\"");
  return cuda::available() ? Device::cuda : Device::cpu;
}

namespace {

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

// A run whose config is checked, ready to train: nothing that fails on the
// config alone is left for after the run folder is opened.
struct PreparedRun {
  config::RunConfig cfg;
  TrainHandler handler;
  Device device;
};

PreparedRun prepare_run(const nlohmann::json& j) {
  config::RunConfig cfg = config::parse_run_config(j);
  const auto& handlers = train_handlers();
  auto h = handlers.find(cfg.model.type);
  if (h == handlers.end()) {
    std::string known;
    for (const auto& kv : handlers) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error("model.type: no training path for \"" + cfg.model.type + "\" (known: " + known + ")");
  }
  const Device device = resolve_device(cfg.device);
  if (cfg.precision != MathPrecision::full) {
    CONVLAB_CHECK(device == Device::cuda, "precision: \"" << math_precision_name(cfg.precision)
                                                          << "\" runs on tensor cores and needs device cuda (this "
                                                             "run's device is "
                                                          << device_name(device) << ")");
    const auto dtype = cfg.model.spec.find("dtype");
    CONVLAB_CHECK(dtype == cfg.model.spec.end() || *dtype != "float64",
                  "precision: \"" << math_precision_name(cfg.precision)
                                  << "\" is a mode of float32 training; model.dtype is float64");
  }
  return {std::move(cfg), h->second, device};
}

RunResult run_prepared(const PreparedRun& p, RunFolder* folder, bool resume, std::ostream& out) {
  RunContext ctx{folder, p.device, resume, &out};
  // The convs and affines of the run pick their variants of this precision.
  ScopedMathPrecision precision(Device::cuda, p.cfg.precision);
  return p.handler(p.cfg, ctx);
}

// The config at path with the command line's --set overrides and --device.
nlohmann::json read_config(const std::string& path, const TrainOptions& opt) {
  nlohmann::json j = config::load_json_file(path);
  CONVLAB_CHECK(j.is_object(), path << ": expected a JSON object at the top level");
  for (const auto& s : opt.overrides) config::apply_override(j, s);
  if (!opt.device.empty()) j["device"] = opt.device;
  return j;
}

int resume_command(const TrainOptions& opt, std::ostream& out) {
  // The lock comes first: config.json and the checkpoint are read while no
  // other process can change them.
  const auto folder = RunFolder::open(opt.resume_dir, RunFolder::Mode::resume);
  if (opt.on_folder) opt.on_folder(folder->path());
  const nlohmann::json j = read_config(folder->file("config.json"), opt);
  CONVLAB_CHECK(!config::has_sweep(j), "--resume: resuming a sweep is not supported; resume one of its runs");
  const PreparedRun p = prepare_run(j);
  return run_prepared(p, folder.get(), true, out).ok ? 0 : 1;
}

// The command line's consistency (CONFIG, --resume, --out, --overwrite).
void check_command(const std::string& config_path, const TrainOptions& opt) {
  if (!opt.resume_dir.empty()) {
    CONVLAB_CHECK(config_path.empty(),
                  "--resume: give either a CONFIG or --resume RUN_DIR (the run's own "
                  "config.json is used), not both");
    CONVLAB_CHECK(opt.out_dir.empty(), "--resume: the run continues in RUN_DIR; --out does not apply");
    CONVLAB_CHECK(!opt.overwrite,
                  "--resume and --overwrite exclude each other (--resume continues the run in "
                  "RUN_DIR, --overwrite replaces the run in --out DIR)");
    return;
  }
  CONVLAB_CHECK(!config_path.empty(),
                "train: a CONFIG file is required (e.g. convlab train configs/overfit_small.json)");
  CONVLAB_CHECK(!opt.overwrite || !opt.out_dir.empty(),
                "--overwrite needs --out DIR (a default run folder is always a new one)");
}

// The config of a new run: the file with the command line's changes, output.name defaulting to its stem.
nlohmann::json command_config(const std::string& path, const TrainOptions& opt) {
  nlohmann::json j = read_config(path, opt);
  if (!j.contains("output") || !j["output"].is_object()) j["output"] = nlohmann::json::object();
  if (!j["output"].contains("name")) j["output"]["name"] = fs::path(path).stem().string();
  return j;
}

// The run folder of a new run: --out, else <output.dir>/<output.name>-<UTC time>, with
// -2, -3, ... when two runs start within the same second.
std::unique_ptr<RunFolder> open_run_folder(const std::string& path, const TrainOptions& opt,
                                           const config::OutputConfig& o) {
  if (!opt.out_dir.empty())
    return RunFolder::open(opt.out_dir, opt.overwrite ? RunFolder::Mode::overwrite : RunFolder::Mode::fresh);
  const std::string name = o.name.empty() ? fs::path(path).stem().string() : o.name;
  return RunFolder::create_unique((fs::path(o.dir) / (name + "-" + utc_stamp())).string());
}

// One run on the ranks of comm (docs/distributed.md): rank 0 reads the config
// (or the run folder's, with --resume), checks it and opens the run folder;
// every rank gets rank 0's config and trains its shard; rank 0 alone prints
// and writes. An error of rank 0's checks ends every rank (dist::SharedError).
int train_data_parallel(const std::string& config_path, const TrainOptions& opt, std::ostream& out,
                        dist::Communicator& comm) {
  const bool resume = !opt.resume_dir.empty();
  std::unique_ptr<RunFolder> folder;
  std::string text;
  dist::collective_check(comm, [&] {
    if (comm.rank() != 0) return;
    check_command(config_path, opt);
    nlohmann::json j;
    if (resume) {
      folder = RunFolder::open(opt.resume_dir, RunFolder::Mode::resume);
      j = read_config(folder->file("config.json"), opt);
    } else {
      j = command_config(config_path, opt);
    }
    CONVLAB_CHECK(!config::has_sweep(j), "a sweep cannot run on " << comm.size()
                                                                  << " ranks: run each of its points as a job of "
                                                                     "its own (or the sweep on one process)");
    const PreparedRun p = prepare_run(j);
    CONVLAB_CHECK(
        p.cfg.model.type == "three_layer_convnet" || p.cfg.model.type == "fc_net" || p.cfg.model.type == "sequential",
        "model.type: \"" << p.cfg.model.type << "\" has no data-parallel training (the classifiers "
                         << "three_layer_convnet, fc_net and sequential have); run it on one process");
    CONVLAB_CHECK(p.cfg.solver.batch_size % comm.size() == 0,
                  "solver.batch_size: " << p.cfg.solver.batch_size << " does not split evenly over " << comm.size()
                                        << " ranks (data-parallel training: batch_size is the global batch)");
    if (!resume) folder = open_run_folder(config_path, opt, p.cfg.output);
    if (opt.on_folder) opt.on_folder(folder->path());
    text = j.dump();
  });
  const nlohmann::json j = nlohmann::json::parse(dist::broadcast_string(comm, text));
  std::optional<PreparedRun> p;
  dist::collective_check(comm, [&] { p = prepare_run(j); });
  return run_prepared(*p, folder.get(), resume, out).ok ? 0 : 1;
}

}  // namespace

int train_command(const std::string& config_path, const TrainOptions& opt, std::ostream& out) {
  dist::Communicator& comm = dist::world();
  if (comm.size() > 1) {
    std::ostream silent(nullptr);  // ranks other than 0 print nothing
    return train_data_parallel(config_path, opt, comm.rank() == 0 ? out : silent, comm);
  }
  check_command(config_path, opt);
  if (!opt.resume_dir.empty()) return resume_command(opt, out);
  const std::string& path = config_path;
  nlohmann::json j = command_config(path, opt);

  // Every run of the command is checked before the run folder is touched.
  const bool sweep = config::has_sweep(j);
  std::vector<config::SweepPoint> points;
  std::vector<PreparedRun> runs;
  if (sweep) {
    points = config::expand_sweep(j);
    for (const auto& p : points) runs.push_back(prepare_run(p.config));
  } else {
    runs.push_back(prepare_run(j));
  }

  std::unique_ptr<RunFolder> folder = open_run_folder(path, opt, runs.front().cfg.output);
  if (opt.on_folder) opt.on_folder(folder->path());

  if (!sweep) return run_prepared(runs.front(), folder.get(), false, out).ok ? 0 : 1;

  // The sweep's own files (and, with --overwrite, the removal of an old sweep)
  // come after every point passed its checks above.
  folder->begin_writing();
  nlohmann::json rows = nlohmann::json::array();
  bool all_ok = true;
  for (std::size_t i = 0; i < points.size(); ++i) {
    out << "Sweep run " << i + 1 << " / " << points.size() << ": " << points[i].label << "\n";
    out.flush();
    std::ostringstream sub;
    sub << "run" << (i + 1 < 10 ? "00" : i + 1 < 100 ? "0" : "") << i + 1;
    const auto sub_folder = RunFolder::open((fs::path(folder->path()) / sub.str()).string(), RunFolder::Mode::fresh);
    const RunResult r = run_prepared(runs[i], sub_folder.get(), false, out);
    all_ok = all_ok && r.ok;
    nlohmann::json row = {{"run", sub.str()}, {"label", points[i].label}, {"summary", r.summary}};
    for (const auto& a : points[i].assignments) row["values"][a.first] = a.second;
    rows.push_back(row);
    write_sweep_summary(*folder, rows);
  }
  out << "Sweep of " << points.size() << " runs written to " << folder->path() << " (sweep.json, sweep.csv)\n";
  return all_ok ? 0 : 1;
}

}  // namespace convlab
