#include "host/run/run_files.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/solver/history_io.h"
#include "host/solver/safetensors.h"

namespace convlab {

namespace fs = std::filesystem;

void write_json_file(const std::string& path, const nlohmann::json& j) { write_file_atomic(path, j.dump(2) + "\n"); }

void write_history(const std::string& run_dir, const Solver& solver, const std::string& metric) {
  write_json_file((fs::path(run_dir) / "history.json").string(), history_to_json(solver.history(), metric));
  write_file_atomic((fs::path(run_dir) / "history.csv").string(),
                    history_to_csv(solver.history(), metric, solver.iterations_per_epoch()));
}

void write_best_checkpoint(const std::string& run_dir, const std::map<std::string, Tensor>& state,
                           const nlohmann::json& resolved_config, const std::string& model_type, int64_t epoch,
                           const std::string& metric, double val_metric) {
  std::map<std::string, std::string> meta = {{"format", "convlab"},
                                             {"model_type", model_type},
                                             {"epoch", std::to_string(epoch)},
                                             {"metric", metric},
                                             {"val_" + metric, std::to_string(val_metric)},
                                             {"config", resolved_config.dump()}};
  save_safetensors((fs::path(run_dir) / "best.safetensors").string(), state, meta);
}

void write_resume_state(const std::string& run_dir, Model& model, Solver& solver) {
  std::map<std::string, Tensor> t = model.state();
  for (auto& kv : solver.optim_state()) {
    if (kv.second.s1.defined()) t["optim.s1." + kv.first] = kv.second.s1;
    if (kv.second.s2.defined()) t["optim.s2." + kv.first] = kv.second.s2;
  }
  for (const auto& kv : solver.best_state()) t["best." + kv.first] = kv.second;
  save_safetensors((fs::path(run_dir) / "last.safetensors").string(), t, {{"format", "convlab"}});
  nlohmann::json s = {{"epoch", solver.epoch()},
                      {"iterations_done", solver.iterations_done()},
                      {"best_val", solver.best_val_acc()},
                      {"best_epoch", solver.best_epoch()},
                      {"history", history_to_json(solver.history(), model.metric().name)}};
  write_json_file((fs::path(run_dir) / "state.json").string(), s);
}

void load_resume_state(const std::string& run_dir, Model& model, Solver& solver) {
  const std::string sp = (fs::path(run_dir) / "state.json").string();
  const std::string lp = (fs::path(run_dir) / "last.safetensors").string();
  CONVLAB_CHECK(fs::exists(sp) && fs::exists(lp),
                "--resume " << run_dir << ": no state.json / last.safetensors (the run did not finish an epoch)");
  nlohmann::json s;
  try {
    std::ifstream in(sp);
    s = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw Error(sp + ": cannot read the resume state: " + e.what());
  }
  const SafeTensors st = load_safetensors(lp);
  std::map<std::string, Tensor> state, best;
  std::map<std::string, OptimState> optim;
  const Device dev = model.device();
  for (const auto& kv : st.tensors) {
    const std::string& k = kv.first;
    if (k.rfind("optim.s1.", 0) == 0) optim[k.substr(9)].s1 = kv.second.to(dev);
    else if (k.rfind("optim.s2.", 0) == 0) optim[k.substr(9)].s2 = kv.second.to(dev);
    else if (k.rfind("best.", 0) == 0) best[k.substr(5)] = kv.second.to(dev);
    else state[k] = kv.second;
  }
  model.load_state(state);
  try {
    solver.resume(s.at("epoch").get<int64_t>(), history_from_json(s.at("history")), s.at("best_val").get<double>(),
                  s.at("best_epoch").get<int64_t>(), best, optim);
  } catch (const nlohmann::json::exception& e) {
    throw Error(sp + ": malformed resume state: " + e.what());
  }
}

void write_sweep_summary(const std::string& sweep_dir, const nlohmann::json& rows) {
  write_json_file((fs::path(sweep_dir) / "sweep.json").string(), rows);
  std::ostringstream os;
  std::vector<std::string> keys;
  if (!rows.empty() && rows[0].contains("values"))
    for (auto it = rows[0]["values"].begin(); it != rows[0]["values"].end(); ++it) keys.push_back(it.key());
  os << "run";
  for (const auto& k : keys) os << "," << k;
  os << ",best_val,best_epoch,final_train,final_loss,test\n";
  for (const auto& r : rows) {
    os << r["run"].get<std::string>();
    for (const auto& k : keys) {
      const auto& v = r["values"][k];
      os << "," << (v.is_string() ? v.get<std::string>() : v.dump());
    }
    const auto& s = r["summary"];
    auto num = [&](const char* key) { return s.contains(key) && !s[key].is_null() ? s[key].dump() : std::string(); };
    os << "," << num("best_val") << "," << num("best_epoch") << "," << num("final_train") << ","
       << num("final_loss") << "," << num("test") << "\n";
  }
  write_file_atomic((fs::path(sweep_dir) / "sweep.csv").string(), os.str());
}

}  // namespace convlab
