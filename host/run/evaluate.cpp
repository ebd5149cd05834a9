#include "host/run/evaluate.h"

#include <cstdio>
#include <filesystem>
#include <ostream>

#include "host/config/config.h"
#include "host/config/json_reader.h"
#include "host/data/cifar10.h"
#include "host/run/train.h"
#include "host/solver/safetensors.h"
#include "host/solver/solver.h"
#include "models/model_factory.h"

namespace convlab {

nlohmann::json eval_command(const std::string& checkpoint, const EvalOptions& opt, std::ostream& out) {
  CONVLAB_CHECK(opt.split == "test" || opt.split == "val" || opt.split == "train" || opt.split == "all",
                "--split: expected test, val, train or all, got \"" << opt.split << "\"");
  const TtaLevel tta = parse_tta(opt.tta, "--tta");
  std::string path = checkpoint;
  if (std::filesystem::is_directory(path)) path = (std::filesystem::path(path) / "best.safetensors").string();
  const SafeTensors st = load_safetensors(path);
  auto cfg_it = st.metadata.find("config");
  CONVLAB_CHECK(cfg_it != st.metadata.end(),
                path << ": no convlab config in the checkpoint metadata (was it written by convlab train?)");
  // The checkpoint is untrusted: its config goes through the same checks as
  // a config file, and every error names the checkpoint.
  config::RunConfig cfg;
  ModelPtr model;
  NumpyRandom rng(0);
  try {
    nlohmann::json j = config::parse_json(cfg_it->second, "the stored config");
    CONVLAB_CHECK(j.is_object(), "the stored config: expected a JSON object");
    cfg = config::parse_run_config(j);
    rng.seed_(cfg.solver.seed);
    model = build_model(cfg.model.spec, rng);
    model->load_state(st.tensors);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }

  // --data must exist when given; else the stored folder, and where that is
  // not on this machine, the usual search (CONVLAB_CIFAR10_DIR, ...).
  std::string dir;
  if (!opt.data_path.empty()) {
    dir = find_cifar10_dir(opt.data_path, "--data");
  } else {
    try {
      dir = find_cifar10_dir(cfg.data.path);
    } catch (const Error&) {
      dir = find_cifar10_dir("");  // the stored folder may not exist on this machine
    }
  }
  const Cifar10Data data = get_cifar10_data(dir, cifar10_options(cfg.data));
  const Device dev = resolve_device(opt.device.empty() ? std::string("auto") : opt.device);
  model->to(dev);

  SolverOptions so;
  so.verbose = false;
  Dataset train = cfg.data.num_train > 0 ? data.train.head(cfg.data.num_train) : data.train;
  Dataset val = data.val.to(dev);
  Solver solver(*model, train.to(dev), val, so, rng, out);
  nlohmann::json result;
  const std::string m = model->metric().name;
  auto report = [&](const char* name, const Dataset& d) {
    if (d.size() == 0) return;
    const Dataset on_dev = d.to(dev);
    const double v = solver.check_metric(on_dev, -1);
    result[name] = v;
    char line[160];
    std::snprintf(line, sizeof line, "%s %s: %f (%lld images)\n", name, m.c_str(), v, static_cast<long long>(d.size()));
    out << line;
    if (tta == TtaLevel::none) return;
    const double vt = solver.check_metric(on_dev, -1, tta);
    result["tta"] = tta_name(tta);
    result[std::string(name) + "_tta"] = vt;
    std::snprintf(line, sizeof line, "%s %s with tta %s: %f (%lld images)\n", name, m.c_str(), tta_name(tta), vt,
                  static_cast<long long>(d.size()));
    out << line;
  };
  out << "checkpoint " << path << ": " << model->type() << ", epoch "
      << (st.metadata.count("epoch") ? st.metadata.at("epoch") : std::string("?")) << ", data " << dir << ", device "
      << device_name(dev) << "\n";
  if (opt.split == "train" || opt.split == "all") report("train", train);
  if (opt.split == "val" || opt.split == "all") report("val", data.val);
  if (opt.split == "test" || opt.split == "all") {
    CONVLAB_CHECK(data.test.size() > 0, "eval: the checkpoint's config has data.num_test = 0 (use --split val)");
    report("test", data.test);
  }
  return result;
}

}  // namespace convlab
