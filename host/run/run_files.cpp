#include "host/run/run_files.h"

#include <filesystem>
#include <ostream>
#include <sstream>

#include "host/io/atomic_file.h"
#include "host/plot/gnuplot.h"
#include "host/plot/training_plots.h"
#include "host/solver/history_io.h"
#include "host/solver/safetensors.h"

namespace convlab {

namespace fs = std::filesystem;

void write_run_json(const RunFolder& folder, const std::string& name, const nlohmann::json& j) {
  write_file_atomic(folder.file_to_write(name), j.dump(2) + "\n");
}

void write_history(const RunFolder& folder, const Solver& solver) {
  write_run_json(folder, "history.json", history_to_json(solver.history()));
  write_file_atomic(folder.file_to_write("history.csv"),
                    history_to_csv(solver.history(), solver.iterations_per_epoch()));
}

void write_best_checkpoint(const RunFolder& folder, const std::map<std::string, Tensor>& state,
                           const nlohmann::json& resolved_config, const std::string& model_type, int64_t epoch,
                           const std::string& metric, double val_metric) {
  std::map<std::string, std::string> meta = {{"format", "convlab"},
                                             {"model_type", model_type},
                                             {"epoch", std::to_string(epoch)},
                                             {"metric", metric},
                                             {"val_" + metric, std::to_string(val_metric)},
                                             {"config", resolved_config.dump()}};
  save_safetensors(folder.file_to_write("best.safetensors"), state, meta);
}

void write_training_plot(const RunFolder& folder, std::ostream& log) {
  // gnuplot writes its output in place: draw into a temporary name and rename,
  // so training.png is never half written.
  const fs::path png = folder.file_to_write("training.png");
  const fs::path tmp = png.parent_path() / ".training.png.tmp";
  try {
    std::string why;
    if (!gnuplot_available(&why)) {
      log << "note: no training.png for " << folder.path() << ": " << why << "\n";
      return;
    }
    plot_training(read_run_history(folder.path()), tmp.string());
    replace_file_atomic(tmp.string(), png.string());
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    log << "note: no training.png for " << folder.path() << ": " << e.what() << "\n";
  }
}

void write_sweep_summary(const RunFolder& sweep_folder, const nlohmann::json& rows) {
  write_run_json(sweep_folder, "sweep.json", rows);
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
    os << "," << num("best_val") << "," << num("best_epoch") << "," << num("final_train") << "," << num("final_loss")
       << "," << num("test") << "\n";
  }
  write_file_atomic(sweep_folder.file_to_write("sweep.csv"), os.str());
}

}  // namespace convlab
