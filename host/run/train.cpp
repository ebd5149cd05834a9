#include "host/run/train.h"

#include <ctime>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "host/config/sweep.h"
#include "host/cuda_runtime.h"
#include "host/run/run_files.h"

namespace convlab {

namespace fs = std::filesystem;

const std::map<std::string, TrainHandler>& train_handlers() {
  // Model type -> training function. Add model families with their own
  // training path here (e.g. {"linear_regression", train_linear_regression}).
  static const std::map<std::string, TrainHandler> handlers = {
      {"three_layer_convnet", train_classifier},
      {"fc_net", train_classifier},
      {"sequential", train_classifier},
      {"linear_regression", train_regression},
      {"ridge_regression", train_regression},
      {"linear_regression_sgd", train_regression},
  };
  return handlers;
}

SolverOptions solver_options(const config::SolverConfig& solver) {
  SolverOptions so;
  so.optim = solver.optim;
  so.lr_decay = solver.lr_decay;
  so.batch_size = solver.batch_size;
  so.num_epochs = solver.num_epochs;
  so.num_train_samples = solver.num_train_samples;
  so.num_val_samples = solver.num_val_samples;
  so.print_every = solver.print_every;
  so.verbose = solver.verbose;
  return so;
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

// Runs one (already expanded) config into run_dir.
RunResult run_one(const nlohmann::json& j, const std::string& run_dir, const TrainOptions& opt, bool resume,
                  std::ostream& out) {
  const config::RunConfig cfg = config::parse_run_config(j);
  const auto& handlers = train_handlers();
  auto h = handlers.find(cfg.model.type);
  if (h == handlers.end()) {
    std::string known;
    for (const auto& kv : handlers) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error("model.type: no training path for \"" + cfg.model.type + "\" (known: " + known + ")");
  }
  const Device device = resolve_device(cfg.device);
  std::error_code ec;
  const bool existed = fs::exists(run_dir, ec);
  fs::create_directories(run_dir, ec);
  CONVLAB_CHECK(!ec, run_dir << ": cannot create the run folder: " << ec.message());
  RunContext ctx{run_dir, device, resume, &out};
  (void)opt;
  try {
    return h->second(cfg, ctx);
  } catch (...) {
    // Leave no empty run folder behind when the run fails before writing anything.
    if (!existed && fs::is_empty(run_dir, ec)) fs::remove(run_dir, ec);
    throw;
  }
}

}  // namespace

int train_command(const std::string& config_path, const TrainOptions& opt, std::ostream& out) {
  const bool resume = !opt.resume_dir.empty();
  std::string path = config_path;
  if (resume) {
    CONVLAB_CHECK(fs::is_directory(opt.resume_dir), "--resume " << opt.resume_dir << ": not a run folder");
    CONVLAB_CHECK(config_path.empty(), "--resume: give either a CONFIG or --resume RUN_DIR (the run's own "
                                       "config.json is used), not both");
    path = (fs::path(opt.resume_dir) / "config.json").string();
    CONVLAB_CHECK(fs::exists(path), "--resume " << opt.resume_dir << ": no config.json in it: not a convlab run folder");
  }
  CONVLAB_CHECK(!path.empty(), "train: a CONFIG file is required (e.g. convlab train configs/overfit_small.json)");
  nlohmann::json j = config::load_json_file(path);
  CONVLAB_CHECK(j.is_object(), path << ": expected a JSON object at the top level");
  for (const auto& s : opt.overrides) config::apply_override(j, s);
  if (!opt.device.empty()) j["device"] = opt.device;

  if (resume) {
    CONVLAB_CHECK(!config::has_sweep(j), "--resume: resuming a sweep is not supported; resume one of its runs");
    const RunResult r = run_one(j, opt.resume_dir, opt, true, out);
    return r.ok ? 0 : 1;
  }

  // Name of the run folder: --out, else <output.dir>/<output.name or config stem>-<UTC time>.
  std::string run_dir = opt.out_dir;
  if (run_dir.empty()) {
    std::string dir = "runs", name = fs::path(path).stem().string();
    if (j.contains("output") && j["output"].is_object()) {
      const auto& o = j["output"];
      if (o.contains("dir") && o["dir"].is_string()) dir = o["dir"].get<std::string>();
      if (o.contains("name") && o["name"].is_string() && !o["name"].get<std::string>().empty())
        name = o["name"].get<std::string>();
    }
    run_dir = (fs::path(dir) / (name + "-" + utc_stamp())).string();
  }
  if (!j.contains("output") || !j["output"].is_object()) j["output"] = nlohmann::json::object();
  if (!j["output"].contains("name")) j["output"]["name"] = fs::path(path).stem().string();

  if (!config::has_sweep(j)) {
    const RunResult r = run_one(j, run_dir, opt, false, out);
    return r.ok ? 0 : 1;
  }

  const auto points = config::expand_sweep(j);
  for (const auto& p : points) config::parse_run_config(p.config);  // validate every point before training any
  nlohmann::json rows = nlohmann::json::array();
  bool all_ok = true;
  for (std::size_t i = 0; i < points.size(); ++i) {
    out << "Sweep run " << i + 1 << " / " << points.size() << ": " << points[i].label << "\n";
    out.flush();
    std::ostringstream sub;
    sub << "run" << (i + 1 < 10 ? "00" : i + 1 < 100 ? "0" : "") << i + 1;
    const RunResult r = run_one(points[i].config, (fs::path(run_dir) / sub.str()).string(), opt, false, out);
    all_ok = all_ok && r.ok;
    nlohmann::json row = {{"run", sub.str()}, {"label", points[i].label}, {"summary", r.summary}};
    for (const auto& a : points[i].assignments) row["values"][a.first] = a.second;
    rows.push_back(row);
    write_sweep_summary(run_dir, rows);
  }
  out << "Sweep of " << points.size() << " runs written to " << run_dir << " (sweep.json, sweep.csv)\n";
  return all_ok ? 0 : 1;
}

}  // namespace convlab
