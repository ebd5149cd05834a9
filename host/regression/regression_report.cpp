// Printing and writing the results of a regression experiment.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "host/regression/run_regression.h"

namespace convlab {
namespace {

// Shortest text that reads back as the same double (0.003, not 0.0030000000000000001).
std::string num(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

nlohmann::json split_json(const SplitMetrics& s) { return {{"n", s.n}, {"mae", s.mae}, {"mse", s.mse}}; }

std::ofstream open_out(const std::filesystem::path& p) {
  std::ofstream f(p);
  CONVLAB_CHECK(f.is_open(), "regression: cannot write '" << p.string() << "'");
  return f;
}

void write_history_csv(const SgdHistory& h, const std::filesystem::path& p) {
  std::ofstream f = open_out(p);
  f << "epoch,train_loss,train_mae,val_loss,val_mae\n";
  for (std::size_t e = 0; e < h.train_loss.size(); ++e) {
    f << e + 1 << "," << num(h.train_loss[e]) << "," << num(h.train_mae[e]);
    if (e < h.val_mae.size())
      f << "," << num(h.val_loss[e]) << "," << num(h.val_mae[e]);
    else
      f << ",,";
    f << "\n";
  }
}

void write_loss_csv(const SgdHistory& h, const std::filesystem::path& p) {
  std::ofstream f = open_out(p);
  f << "iteration,loss\n";
  for (std::size_t i = 0; i < h.loss_history.size(); ++i) f << i + 1 << "," << num(h.loss_history[i]) << "\n";
}

std::string run_tag(const SweepRun& s) {
  std::ostringstream os;
  os << "lr_" << num(s.learning_rate) << "_bs_" << s.batch_size;
  return os.str();
}

void write_sweep(const std::vector<SweepRun>& runs, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "curves");
  std::ofstream csv = open_out(dir / "sweep_results.csv");
  csv << "learning_rate,batch_size,status,train_mae,train_mse,val_mae,val_mse,test_mae,test_mse,"
         "best_val_mae,best_epoch,curve\n";
  nlohmann::json rows = nlohmann::json::array();
  for (const SweepRun& s : runs) {
    const std::string curve = "curves/" + run_tag(s) + ".csv";
    nlohmann::json row = {{"learning_rate", s.learning_rate}, {"batch_size", s.batch_size},
                          {"status", s.diverged ? "diverged" : "ok"}};
    csv << num(s.learning_rate) << "," << s.batch_size << "," << (s.diverged ? "diverged" : "ok");
    if (s.diverged) {
      row["error"] = s.error;
      csv << ",,,,,,,,,";
    } else {
      row["train"] = split_json(s.train);
      row["val"] = split_json(s.val);
      row["test"] = split_json(s.test);
      row["best_val_mae"] = s.best_val_mae;
      row["best_epoch"] = s.best_epoch;
      for (double v : {s.train.mae, s.train.mse, s.val.mae, s.val.mse, s.test.mae, s.test.mse, s.best_val_mae})
        csv << "," << num(v);
      csv << "," << s.best_epoch;
    }
    row["curve"] = curve;
    csv << "," << curve << "\n";
    rows.push_back(row);
    write_history_csv(s.history, dir / curve);
  }
  open_out(dir / "sweep_results.json") << rows.dump(2) << "\n";
}

}  // namespace

void print_regression_metrics(const RegressionResult& r, std::ostream& out) {
  const auto old_flags = out.flags();
  const auto old_prec = out.precision();
  out << r.model_type << " (bias " << std::setprecision(10) << r.model.b << ", " << r.model.w.size()
      << " weights)\n";
  out << "split      n   mean abs error   mean sq error\n";
  const std::pair<const char*, const SplitMetrics*> rows[] = {{"train", &r.train}, {"val", &r.val}, {"test", &r.test}};
  for (const auto& [name, s] : rows) {
    if (s->n == 0) continue;
    out << std::left << std::setw(6) << name << std::right << std::setw(6) << s->n << std::fixed
        << std::setprecision(10) << std::setw(17) << s->mae << std::setw(16) << s->mse << "\n";
    out.flags(old_flags);
  }
  // The seed's lines (mean absolute error, every digit).
  out << "Training error: " << num(r.train.mae) << "\n";
  if (r.val.n) out << "Validation error: " << num(r.val.mae) << "\n";
  out << "Test error: " << num(r.test.mae) << "\n";
  out.precision(old_prec);
}

void write_regression_outputs(const RegressionResult& r, const std::string& out_dir) {
  const std::filesystem::path dir(out_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  CONVLAB_CHECK(!ec, "regression: cannot create '" << out_dir << "': " << ec.message());
  nlohmann::json m = {{"model", r.model_type},  {"train", split_json(r.train)}, {"val", split_json(r.val)},
                      {"test", split_json(r.test)}, {"bias", r.model.b},       {"weights", r.model.w}};
  open_out(dir / "metrics.json") << m.dump(2) << "\n";
  if (!r.history.train_loss.empty()) {
    write_history_csv(r.history, dir / "history.csv");
    write_loss_csv(r.history, dir / "loss_history.csv");
  }
  if (!r.sweep.empty()) write_sweep(r.sweep, dir);
}

}  // namespace convlab
