#include "host/run/resume_state.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "host/config/json_reader.h"
#include "host/run/run_files.h"
#include "host/solver/history_io.h"
#include "host/solver/safetensors.h"

namespace convlab {

namespace fs = std::filesystem;

void write_resume_state(const RunFolder& folder, Model& model, Solver& solver) {
  std::map<std::string, Tensor> t = model.state();
  for (auto& kv : solver.optim_state()) {
    if (kv.second.s1.defined()) t["optim.s1." + kv.first] = kv.second.s1;
    if (kv.second.s2.defined()) t["optim.s2." + kv.first] = kv.second.s2;
  }
  for (const auto& kv : solver.best_state()) t["best." + kv.first] = kv.second;
  for (const auto& kv : solver.weight_average().average()) t["average." + kv.first] = kv.second;
  // Called from the Solver's check, whose iteration counter still names the
  // current iteration: the iterations done are the losses recorded.
  const auto iterations_done = static_cast<int64_t>(solver.history().loss_history.size());
  const nlohmann::json s = {{"epoch", solver.epoch()},
                            {"iterations_done", iterations_done},
                            {"num_iterations", solver.num_iterations()},
                            {"best_val", solver.best_val_metric()},
                            {"best_epoch", solver.best_epoch()},
                            {"history", history_to_json(solver.history())}};
  // The counters travel inside the checkpoint: one rename commits both, so a
  // kill can never leave tensors of one epoch with counters of another.
  save_safetensors(folder.file_to_write("last.safetensors"), t, {{"format", "convlab"}, {"resume_state", s.dump()}});
  write_run_json(folder, "state.json", s);
}

namespace {

// Checks the resume state's values; every message names the file and the key.
class ResumeStateChecker {
 public:
  ResumeStateChecker(std::string file, std::string metric) : file_(std::move(file)), metric_(std::move(metric)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw Error(file_ + ": resume state key \"" + key + "\": " + what +
                "; the run folder is damaged or was edited (start a new run)");
  }
  int64_t integer(const nlohmann::json& obj, const std::string& key, const std::string& path) const {
    if (!obj.contains(key) || !obj[key].is_number_integer()) fail(path, "missing or not an integer");
    return obj[key].get<int64_t>();
  }
  double number(const nlohmann::json& obj, const std::string& key, const std::string& path) const {
    if (!obj.contains(key) || !obj[key].is_number()) fail(path, "missing or not a number");
    return obj[key].get<double>();
  }
  std::vector<double> numbers(const nlohmann::json& obj, const std::string& key) const {
    const std::string path = "history." + key;
    if (!obj.contains(key) || !obj[key].is_array()) fail(path, "missing or not an array");
    std::vector<double> v;
    for (const auto& x : obj[key]) {
      if (!x.is_number()) fail(path, "holds " + x.dump() + ", not a number");
      v.push_back(x.get<double>());
    }
    return v;
  }
  // Accuracy is a fraction; a mean absolute error is >= 0.
  void metric_value(const std::string& key, double v) const {
    std::ostringstream os;
    os << v;
    if (!std::isfinite(v)) fail(key, os.str() + " is not a finite number");
    if (metric_ == "acc" && (v < 0.0 || v > 1.0)) fail(key, os.str() + " is outside [0, 1] (metric acc)");
    if (metric_ == "mae" && v < 0.0) fail(key, os.str() + " is negative (metric mae is >= 0)");
  }

 private:
  std::string file_, metric_;
};

// Same names, same shapes: a state that loads only halfway, or whose best
// parameters fail to load when training ends hours later, is refused now.
void check_tensors(const std::string& file, const std::string& prefix, const std::map<std::string, Tensor>& got,
                   const std::map<std::string, Tensor>& want, bool all_required) {
  for (const auto& kv : got) {
    auto it = want.find(kv.first);
    CONVLAB_CHECK(it != want.end(), file << ": tensor \"" << prefix << kv.first << "\": the model has no parameter "
                                         << kv.first << " (was model changed with --set?)");
    CONVLAB_CHECK(it->second.shape() == kv.second.shape(),
                  file << ": tensor \"" << prefix << kv.first << "\" has shape " << shape_str(kv.second.shape())
                       << ", the model expects " << shape_str(it->second.shape())
                       << " (was model changed with --set?)");
  }
  if (all_required)
    for (const auto& kv : want)
      CONVLAB_CHECK(got.count(kv.first), file << ": tensor \"" << prefix << kv.first << "\" is missing");
}

// Checks the state read from lp (of the run folder dir) and restores it.
void restore_resume_state(const std::string& lp, const std::string& dir, const SafeTensors& st, Model& model,
                          Solver& solver) {
  auto meta = st.metadata.find("resume_state");
  CONVLAB_CHECK(meta != st.metadata.end(),
                lp << ": no resume state in the checkpoint's metadata (written by an older convlab, whose "
                      "last.safetensors and state.json could come from different epochs); start a new run");
  const nlohmann::json s = config::parse_json(meta->second, lp + " (resume state in the metadata)");
  const std::string metric = model.metric().name;
  const ResumeStateChecker c(lp, metric);
  CONVLAB_CHECK(s.is_object(), lp << ": the resume state in the metadata is not a JSON object");

  const int64_t ipe = solver.iterations_per_epoch();
  const int64_t num_epochs = solver.num_epochs_total();  // a last partial epoch included
  const int64_t epoch = c.integer(s, "epoch", "epoch");
  if (epoch < 1) c.fail("epoch", std::to_string(epoch) + " is not >= 1");
  const int64_t iterations = c.integer(s, "iterations_done", "iterations_done");
  // A run of fractional num_epochs ends with a partial epoch, whose state cannot be continued.
  const bool partial = iterations < epoch * ipe && iterations > (epoch - 1) * ipe;
  if (partial)
    throw Error(lp + ": resume state key \"iterations_done\": " + std::to_string(iterations) + " is not epoch " +
                std::to_string(epoch) + " x " + std::to_string(ipe) + ": the run ended with a partial epoch " +
                std::to_string(epoch) + " (fractional solver.num_epochs), which cannot be continued; start a new run");
  CONVLAB_CHECK(epoch != num_epochs, "--resume " << dir << ": the run is finished (all " << num_epochs
                                                 << " epochs of solver.num_epochs are done); to train longer add "
                                                    "--set solver.num_epochs=N with N > "
                                                 << num_epochs);
  if (epoch > num_epochs)
    c.fail("epoch", std::to_string(epoch) + " is beyond solver.num_epochs " + std::to_string(num_epochs) +
                        " (to continue the run, solver.num_epochs must exceed it)");
  if (iterations != epoch * ipe)
    c.fail("iterations_done", std::to_string(iterations) + " is not epoch " + std::to_string(epoch) + " x " +
                                  std::to_string(ipe) +
                                  " iterations per epoch (solver.batch_size and data.num_train must stay those of "
                                  "the run)");

  // The run's length: what a learning-rate schedule over the run and
  // lookahead's decay are planned over (states of older versions lack it).
  if (s.contains("num_iterations")) {
    const int64_t planned = c.integer(s, "num_iterations", "num_iterations");
    const LrScheduleType type = solver.lr_schedule().type;
    const bool over_run = type != LrScheduleType::step && type != LrScheduleType::constant;
    const bool lookahead = solver.weight_average().config().type == WeightAveragingConfig::Type::lookahead;
    CONVLAB_CHECK(planned == solver.num_iterations() || !(over_run || lookahead),
                  "--resume " << dir << ": solver.num_epochs makes the run " << solver.num_iterations()
                              << " iterations long instead of its " << planned << ", but "
                              << (over_run ? std::string("its lr_schedule \"") + lr_schedule_type_name(type) + "\""
                                           : std::string("its lookahead weight averaging"))
                              << " is planned over the whole run: the iterations still to come would follow another "
                                 "curve than the one the run started on; start a new run");
  }

  if (!s.contains("history") || !s["history"].is_object()) c.fail("history", "missing or not an object");
  const nlohmann::json& h = s["history"];
  if (!h.contains("metric") || h["metric"] != metric)
    c.fail("history.metric", (h.contains("metric") ? h["metric"].dump() : std::string("missing")) +
                                 ", the model's metric is \"" + metric + "\"");
  const auto loss = c.numbers(h, "loss_history");
  if (static_cast<int64_t>(loss.size()) != iterations)
    c.fail("history.loss_history",
           std::to_string(loss.size()) + " values for " + std::to_string(iterations) + " iterations");
  for (double v : loss)
    if (!std::isfinite(v)) c.fail("history.loss_history", "holds a non-finite loss");
  if (!h.contains("check_epoch") || !h["check_epoch"].is_array())
    c.fail("history.check_epoch", "missing or not an array");
  // The Solver checks after the first iteration (epoch 0, unless it is also
  // the end of epoch 1) and at the end of every epoch.
  std::vector<int64_t> expected_checks;
  for (int64_t e = ipe > 1 ? 0 : 1; e <= epoch; ++e) expected_checks.push_back(e);
  std::vector<int64_t> checks;
  for (const auto& x : h["check_epoch"]) {
    if (!x.is_number_integer()) c.fail("history.check_epoch", "holds " + x.dump() + ", not an integer");
    checks.push_back(x.get<int64_t>());
  }
  if (checks != expected_checks)
    c.fail("history.check_epoch", h["check_epoch"].dump() + " is not " + nlohmann::json(expected_checks).dump() +
                                      " (the checks of epochs 0.." + std::to_string(epoch) + ")");
  // The metric series are named after the metric: train_acc_history for "acc".
  const std::string val_key = metric_history_key("val", metric);
  for (const std::string& key : {metric_history_key("train", metric), val_key}) {
    const auto v = c.numbers(h, key);
    if (v.size() != checks.size())
      c.fail("history." + key, std::to_string(v.size()) + " values for " + std::to_string(checks.size()) + " checks");
    for (double x : v) c.metric_value("history." + key, x);
  }
  for (const char* key : {"epoch_time_s", "images_per_s"}) {
    const auto v = c.numbers(h, key);
    if (static_cast<int64_t>(v.size()) != epoch)
      c.fail(std::string("history.") + key,
             std::to_string(v.size()) + " values after " + std::to_string(epoch) + " epochs");
    for (double x : v)
      if (!(x >= 0.0) || !std::isfinite(x))
        c.fail(std::string("history.") + key, "holds a negative or non-finite value");
  }
  History history = history_from_json(h, model.metric());

  const int64_t best_epoch = c.integer(s, "best_epoch", "best_epoch");
  if (best_epoch < 0 || best_epoch > epoch)
    c.fail("best_epoch", std::to_string(best_epoch) + " is outside [0, epoch " + std::to_string(epoch) + "]");
  const double best_val = c.number(s, "best_val", "best_val");
  c.metric_value("best_val", best_val);
  std::size_t at = 0;
  while (at < checks.size() && checks[at] != best_epoch) ++at;
  if (at == checks.size()) c.fail("best_epoch", std::to_string(best_epoch) + " is not an epoch with a check");
  if (history.val_metric[at] != best_val)
    c.fail("best_val", "differs from history." + val_key + " at best_epoch " + std::to_string(best_epoch));

  std::map<std::string, Tensor> state, best, average;
  std::map<std::string, OptimState> optim;
  std::map<std::string, Tensor> optim_s1, optim_s2;
  const Device dev = model.device();
  for (const auto& kv : st.tensors) {
    const std::string& k = kv.first;
    if (k.rfind("optim.s1.", 0) == 0)
      optim_s1[k.substr(9)] = kv.second;
    else if (k.rfind("optim.s2.", 0) == 0)
      optim_s2[k.substr(9)] = kv.second;
    else if (k.rfind("best.", 0) == 0)
      best[k.substr(5)] = kv.second;
    else if (k.rfind("average.", 0) == 0)
      average[k.substr(8)] = kv.second;
    else
      state[k] = kv.second;
  }
  const std::map<std::string, Tensor> model_state = model.state();
  const std::map<std::string, Tensor> params = model.params();
  check_tensors(lp, "", state, model_state, true);
  check_tensors(lp, "best.", best, model_state, true);
  check_tensors(lp, "optim.s1.", optim_s1, params, false);
  check_tensors(lp, "optim.s2.", optim_s2, params, false);
  // The weight average (solver.weight_averaging) is there exactly when the run averages.
  const WeightAverage& wa = solver.weight_average();
  CONVLAB_CHECK(wa.active() || average.empty(),
                lp << ": the checkpoint holds a weight average (\"average.*\" tensors) but solver.weight_averaging is "
                      "\"none\" (the run's type cannot change on --resume)");
  CONVLAB_CHECK(!wa.active() || !average.empty(),
                lp << ": solver.weight_averaging is \"" << weight_averaging_name(wa.config().type)
                   << "\" but the checkpoint holds no weight average (\"average.*\" tensors; the run's type "
                      "cannot change on --resume)");
  if (wa.active()) check_tensors(lp, "average.", average, model_state, true);
  for (const auto& kv : average)
    CONVLAB_CHECK(kv.second.dtype() == model_state.at(kv.first).dtype(),
                  lp << ": tensor \"average." << kv.first << "\" is " << dtype_name(kv.second.dtype())
                     << ", the model's is " << dtype_name(model_state.at(kv.first).dtype()));

  // Everything checked: restore.
  for (auto& kv : best) kv.second = kv.second.to(dev);
  for (const auto& kv : optim_s1) optim[kv.first].s1 = kv.second.to(dev);
  for (const auto& kv : optim_s2) optim[kv.first].s2 = kv.second.to(dev);
  model.load_state(state);
  solver.resume(epoch, history, best_val, best_epoch, best, optim);
  if (wa.active()) solver.weight_average().restore(average, dev);
}

}  // namespace

void load_resume_state(const RunFolder* folder, Model& model, Solver& solver, dist::Communicator& comm) {
  // Rank 0 reads the checkpoint and hands it to the others (whose machines
  // need not see the run folder); every rank then checks and restores it.
  std::string lp, dir;
  SafeTensors st;
  dist::collective_check(comm, [&] {
    if (comm.rank() != 0) return;
    CONVLAB_CHECK(folder != nullptr, "load_resume_state: rank 0 needs the run folder");
    dir = folder->path();
    lp = folder->file("last.safetensors");
    CONVLAB_CHECK(fs::exists(lp), "--resume " << dir
                                              << ": no last.safetensors (the run did not finish an epoch, or "
                                                 "output.save_checkpoint was false); start a new run");
    st = load_safetensors(lp);
  });
  if (comm.size() > 1) {
    const nlohmann::json m = nlohmann::json::parse(
        dist::broadcast_string(comm, nlohmann::json{{"file", lp}, {"dir", dir}, {"metadata", st.metadata}}.dump()));
    lp = m["file"].get<std::string>();
    dir = m["dir"].get<std::string>();
    st.metadata = m["metadata"].get<std::map<std::string, std::string>>();
    st.tensors = dist::broadcast_tensors(comm, st.tensors);
  }
  dist::collective_check(comm, [&] { restore_resume_state(lp, dir, st, model, solver); });
}

}  // namespace convlab
