#include "host/run/train.h"

#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "host/config/sweep.h"
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
  return {std::move(cfg), h->second, device};
}

RunResult run_prepared(const PreparedRun& p, RunFolder& folder, bool resume, std::ostream& out) {
  RunContext ctx{&folder, p.device, resume, &out};
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
  const nlohmann::json j = read_config(folder->file("config.json"), opt);
  CONVLAB_CHECK(!config::has_sweep(j), "--resume: resuming a sweep is not supported; resume one of its runs");
  const PreparedRun p = prepare_run(j);
  return run_prepared(p, *folder, true, out).ok ? 0 : 1;
}

}  // namespace

int train_command(const std::string& config_path, const TrainOptions& opt, std::ostream& out) {
  if (!opt.resume_dir.empty()) {
    CONVLAB_CHECK(config_path.empty(),
                  "--resume: give either a CONFIG or --resume RUN_DIR (the run's own "
                  "config.json is used), not both");
    CONVLAB_CHECK(opt.out_dir.empty(), "--resume: the run continues in RUN_DIR; --out does not apply");
    CONVLAB_CHECK(!opt.overwrite,
                  "--resume and --overwrite exclude each other (--resume continues the run in "
                  "RUN_DIR, --overwrite replaces the run in --out DIR)");
    return resume_command(opt, out);
  }
  CONVLAB_CHECK(!config_path.empty(),
                "train: a CONFIG file is required (e.g. convlab train configs/overfit_small.json)");
  CONVLAB_CHECK(!opt.overwrite || !opt.out_dir.empty(),
                "--overwrite needs --out DIR (a default run folder is always a new one)");
  const std::string& path = config_path;
  nlohmann::json j = read_config(path, opt);
  if (!j.contains("output") || !j["output"].is_object()) j["output"] = nlohmann::json::object();
  if (!j["output"].contains("name")) j["output"]["name"] = fs::path(path).stem().string();

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

  // The run folder: --out, else <output.dir>/<output.name>-<UTC time>, with
  // -2, -3, ... when two runs start within the same second.
  std::unique_ptr<RunFolder> folder;
  if (!opt.out_dir.empty()) {
    folder = RunFolder::open(opt.out_dir, opt.overwrite ? RunFolder::Mode::overwrite : RunFolder::Mode::fresh);
  } else {
    const config::OutputConfig& o = runs.front().cfg.output;
    const std::string name = o.name.empty() ? fs::path(path).stem().string() : o.name;
    folder = RunFolder::create_unique((fs::path(o.dir) / (name + "-" + utc_stamp())).string());
  }

  if (!sweep) return run_prepared(runs.front(), *folder, false, out).ok ? 0 : 1;

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
    const RunResult r = run_prepared(runs[i], *sub_folder, false, out);
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
