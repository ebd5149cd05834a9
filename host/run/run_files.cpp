#include "host/run/run_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <set>
#include <sstream>

#include "host/config/json_reader.h"
#include "host/io/atomic_file.h"
#include "host/plot/gnuplot.h"
#include "host/plot/training_plots.h"
#include "host/solver/history_io.h"
#include "host/solver/safetensors.h"

namespace convlab {

namespace fs = std::filesystem;

namespace {

// The files a run writes, and those a sweep writes next to its runNNN folders.
const std::set<std::string>& run_file_names() {
  static const std::set<std::string> names = {"config.json",      "history.json", "history.csv", "best.safetensors",
                                              "last.safetensors", "state.json",   "summary.json", "training.png"};
  return names;
}
const std::set<std::string>& sweep_file_names() {
  static const std::set<std::string> names = {"sweep.json", "sweep.csv"};
  return names;
}

// A temporary file left by a killed write: ".<file>.tmp" (write_file_atomic)
// or, from earlier versions, "..<file>.tmp.tmp", <file> one of the run's or
// sweep's files.
bool is_leftover_temp(const std::string& name) {
  if (name.size() < 2 || name[0] != '.') return false;
  std::string base = name;
  bool tmp = false;
  while (base.size() > 4 && base.compare(base.size() - 4, 4, ".tmp") == 0) {
    base.resize(base.size() - 4);
    tmp = true;
  }
  const std::size_t start = base.find_first_not_of('.');
  if (!tmp || start == 0 || start == std::string::npos) return false;
  base = base.substr(start);
  return run_file_names().count(base) || sweep_file_names().count(base);
}

// "run001", "run042", "run1234": a sweep's run folder.
bool is_sweep_run_name(const std::string& name) {
  if (name.size() < 6 || name.compare(0, 3, "run") != 0) return false;
  for (std::size_t i = 3; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  return true;
}

std::vector<std::string> entries_of(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  CONVLAB_CHECK(!ec, dir.string() << ": cannot list the run folder: " << ec.message());
  for (; it != end; it.increment(ec)) names.push_back(it->path().filename().string());
  CONVLAB_CHECK(!ec, dir.string() << ": cannot list the run folder: " << ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

// What a run did not put there: everything but the lock file and leftover temporary files.
std::vector<std::string> contents_of(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& n : entries_of(dir))
    if (n != RunFolder::kLockFile && !is_leftover_temp(n)) out.push_back(n);
  return out;
}

std::string list_names(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 4; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > 4) s += ", ... (" + std::to_string(names.size()) + " entries)";
  return s;
}

// The first entry of dir that --overwrite must not delete ("" when none):
// anything but the run's and a sweep's own files and runNNN folders holding
// only run files.
std::string first_foreign_entry(const fs::path& dir) {
  for (const auto& n : contents_of(dir)) {
    const fs::path p = dir / n;
    std::error_code ec;
    const bool is_dir = fs::is_directory(fs::symlink_status(p, ec));
    const bool is_file = fs::is_regular_file(fs::symlink_status(p, ec));
    if (is_file && (run_file_names().count(n) || sweep_file_names().count(n))) continue;
    if (is_dir && is_sweep_run_name(n)) {
      for (const auto& m : contents_of(p)) {
        const bool file = fs::is_regular_file(fs::symlink_status(p / m, ec));
        if (!file || !run_file_names().count(m)) return n + "/" + m;
      }
      continue;
    }
    return n;
  }
  return "";
}

void remove_leftover_temps(const fs::path& dir) {
  for (const auto& n : entries_of(dir)) {
    if (!is_leftover_temp(n)) continue;
    std::error_code ec;
    fs::remove(dir / n, ec);
    CONVLAB_CHECK(!ec, (dir / n).string() << ": cannot remove a leftover temporary file: " << ec.message());
  }
}

void remove_file(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
  CONVLAB_CHECK(!ec, p.string() << ": cannot remove: " << ec.message());
}

std::string read_lock_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown" : s;
}

// Takes <dir>/.convlab.lock without waiting; returns its descriptor (which
// holds the lock until closed), or -1 when the file is absent and !create.
// The lock file is never deleted from a folder that stays: a process that
// opened it just before the deletion would lock a file nobody else sees.
int lock_folder(const fs::path& dir, bool create) {
  const fs::path p = dir / RunFolder::kLockFile;
  const int fd = ::open(p.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd < 0) {
    if (!create && errno == ENOENT) return -1;
    throw Error(p.string() + ": cannot open the run folder's lock file: " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    const std::string pid = read_lock_pid(fd);
    ::close(fd);
    CONVLAB_CHECK(e != EWOULDBLOCK, "run folder " << dir.string() << " is in use by another convlab process (pid "
                                                  << pid << ")");
    throw Error(p.string() + ": cannot lock the run folder: " + std::strerror(e));
  }
  // The holder's pid, for the message another process prints.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int e = errno;
    ::close(fd);
    throw Error(p.string() + ": cannot write the run folder's lock file: " + std::strerror(e));
  }
  return fd;
}

// mkdir that fails when the folder exists, so that of two processes only one creates it.
bool make_dir_exclusive(const fs::path& dir) {
  if (dir.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    CONVLAB_CHECK(!ec, dir.parent_path().string() << ": cannot create the folder: " << ec.message());
  }
  if (::mkdir(dir.c_str(), 0777) == 0) return true;
  CONVLAB_CHECK(errno == EEXIST, dir.string() << ": cannot create the run folder: " << std::strerror(errno));
  return false;
}

// Checks what dir holds against what `mode` accepts.
void check_contents(const fs::path& dir, RunFolder::Mode mode) {
  const std::string d = dir.string();
  switch (mode) {
    case RunFolder::Mode::fresh: {
      const auto names = contents_of(dir);
      CONVLAB_CHECK(names.empty(), "run folder " << d << " is not empty (it holds " << list_names(names)
                                                 << "); to continue the run in it use --resume " << d
                                                 << ", to replace it use --overwrite, or choose another --out");
      break;
    }
    case RunFolder::Mode::overwrite: {
      const std::string foreign = first_foreign_entry(dir);
      CONVLAB_CHECK(foreign.empty(), "--overwrite: run folder "
                                         << d << " holds " << foreign
                                         << ", which is not a file convlab writes; refusing to delete it (move it "
                                            "away or choose another --out)");
      break;
    }
    case RunFolder::Mode::resume:
      CONVLAB_CHECK(fs::is_regular_file(dir / "config.json"),
                    "--resume " << d << ": no config.json in it: not a convlab run folder");
      break;
  }
}

}  // namespace

RunFolder::RunFolder(std::string dir, Mode mode, bool created, int lock_fd)
    : dir_(std::move(dir)), mode_(mode), created_(created), lock_fd_(lock_fd) {}

std::unique_ptr<RunFolder> RunFolder::open(const std::string& dir, Mode mode) {
  CONVLAB_CHECK(!dir.empty(), "run folder: empty path");
  const fs::path p(dir);
  std::error_code ec;
  bool created = false;
  if (mode == Mode::resume) {
    CONVLAB_CHECK(fs::is_directory(p, ec), "--resume " << dir << ": not a run folder (no such folder)");
  } else {
    created = make_dir_exclusive(p);
    CONVLAB_CHECK(created || fs::is_directory(p, ec), dir << ": exists and is not a folder; choose another --out");
  }
  int fd = -1;
  try {
    if (created) {
      fd = lock_folder(p, true);
    } else {
      // A folder in use is reported as such first; a folder without a lock
      // file is checked before one is created in it, so a refused folder is
      // left untouched. The check is repeated under the lock.
      fd = lock_folder(p, false);
      check_contents(p, mode);
      if (fd < 0) {
        fd = lock_folder(p, true);
        check_contents(p, mode);
      }
    }
  } catch (...) {
    if (fd >= 0) ::close(fd);
    if (created) {
      fs::remove(p / kLockFile, ec);
      fs::remove(p, ec);
    }
    throw;
  }
  return std::unique_ptr<RunFolder>(new RunFolder(dir, mode, created, fd));
}

std::unique_ptr<RunFolder> RunFolder::create_unique(const std::string& base) {
  for (int i = 1; i <= 1000; ++i) {
    const std::string dir = i == 1 ? base : base + "-" + std::to_string(i);
    if (!make_dir_exclusive(dir)) continue;
    int fd = -1;
    try {
      fd = lock_folder(dir, true);
    } catch (...) {
      std::error_code ec;
      fs::remove(fs::path(dir) / kLockFile, ec);
      fs::remove(dir, ec);
      throw;
    }
    return std::unique_ptr<RunFolder>(new RunFolder(dir, Mode::fresh, true, fd));
  }
  throw Error(base + ": 1000 run folders of this name exist already (" + base + "-2 ... -1000); set output.name");
}

RunFolder::~RunFolder() {
  if (created_) {
    // The run failed before writing anything: leave no empty folder behind.
    std::error_code ec;
    try {
      if (contents_of(dir_).empty()) {
        remove_leftover_temps(dir_);
        fs::remove(fs::path(dir_) / kLockFile, ec);
        fs::remove(dir_, ec);
      }
    } catch (const std::exception&) {
      // A folder that cannot be listed is left as it is.
    }
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string RunFolder::file(const std::string& name) const { return (fs::path(dir_) / name).string(); }

std::string RunFolder::file_to_write(const std::string& name) const {
  CONVLAB_CHECK(writing_, "internal error: " << file(name)
                                             << " written before the run was validated (RunFolder::begin_writing)");
  return file(name);
}

void RunFolder::begin_writing() {
  if (writing_) return;
  const fs::path d(dir_);
  if (mode_ == Mode::overwrite) {
    check_contents(d, mode_);  // the folder may have changed since open()
    // Lock every runNNN folder of an old sweep first, so none in use by
    // another process loses files, then delete the known files only.
    std::vector<std::pair<fs::path, int>> subs;
    try {
      for (const auto& n : contents_of(d)) {
        if (!fs::is_directory(fs::symlink_status(d / n))) continue;
        subs.push_back({d / n, -1});
        subs.back().second = lock_folder(d / n, false);
      }
      for (auto& s : subs) {
        remove_leftover_temps(s.first);
        for (const auto& m : contents_of(s.first)) remove_file(s.first / m);
        remove_file(s.first / kLockFile);
        remove_file(s.first);
      }
    } catch (...) {
      for (auto& s : subs)
        if (s.second >= 0) ::close(s.second);
      throw;
    }
    for (auto& s : subs)
      if (s.second >= 0) ::close(s.second);
    for (const auto& n : contents_of(d)) remove_file(d / n);
  }
  remove_leftover_temps(d);
  writing_ = true;
}

void write_run_json(const RunFolder& folder, const std::string& name, const nlohmann::json& j) {
  write_file_atomic(folder.file_to_write(name), j.dump(2) + "\n");
}

void write_history(const RunFolder& folder, const Solver& solver, const std::string& metric) {
  write_run_json(folder, "history.json", history_to_json(solver.history(), metric));
  write_file_atomic(folder.file_to_write("history.csv"),
                     history_to_csv(solver.history(), metric, solver.iterations_per_epoch()));
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

void write_resume_state(const RunFolder& folder, Model& model, Solver& solver) {
  std::map<std::string, Tensor> t = model.state();
  for (auto& kv : solver.optim_state()) {
    if (kv.second.s1.defined()) t["optim.s1." + kv.first] = kv.second.s1;
    if (kv.second.s2.defined()) t["optim.s2." + kv.first] = kv.second.s2;
  }
  for (const auto& kv : solver.best_state()) t["best." + kv.first] = kv.second;
  // Called from the Solver's check, whose iteration counter still names the
  // current iteration: the iterations done are the losses recorded.
  const auto iterations_done = static_cast<int64_t>(solver.history().loss_history.size());
  const nlohmann::json s = {{"epoch", solver.epoch()},
                            {"iterations_done", iterations_done},
                            {"best_val", solver.best_val_acc()},
                            {"best_epoch", solver.best_epoch()},
                            {"history", history_to_json(solver.history(), model.metric().name)}};
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

}  // namespace

void load_resume_state(const RunFolder& folder, Model& model, Solver& solver) {
  const std::string lp = folder.file("last.safetensors");
  CONVLAB_CHECK(fs::exists(lp), "--resume " << folder.path()
                                            << ": no last.safetensors (the run did not finish an epoch, or "
                                               "output.save_checkpoint was false); start a new run");
  const SafeTensors st = load_safetensors(lp);
  auto meta = st.metadata.find("resume_state");
  CONVLAB_CHECK(meta != st.metadata.end(),
                lp << ": no resume state in the checkpoint's metadata (written by an older convlab, whose "
                      "last.safetensors and state.json could come from different epochs); start a new run");
  const nlohmann::json s = config::parse_json(meta->second, lp + " (resume state in the metadata)");
  const std::string metric = model.metric().name;
  const ResumeStateChecker c(lp, metric);
  CONVLAB_CHECK(s.is_object(), lp << ": the resume state in the metadata is not a JSON object");

  const int64_t ipe = solver.iterations_per_epoch();
  const int64_t num_epochs = solver.num_iterations() / ipe;
  const int64_t epoch = c.integer(s, "epoch", "epoch");
  if (epoch < 1) c.fail("epoch", std::to_string(epoch) + " is not >= 1");
  CONVLAB_CHECK(epoch != num_epochs, "--resume " << folder.path() << ": the run is finished (all " << num_epochs
                                                 << " epochs of solver.num_epochs are done); to train longer add "
                                                    "--set solver.num_epochs=N with N > "
                                                 << num_epochs);
  if (epoch > num_epochs)
    c.fail("epoch", std::to_string(epoch) + " is beyond solver.num_epochs " + std::to_string(num_epochs) +
                        " (to continue the run, solver.num_epochs must exceed it)");
  const int64_t iterations = c.integer(s, "iterations_done", "iterations_done");
  if (iterations != epoch * ipe)
    c.fail("iterations_done", std::to_string(iterations) + " is not epoch " + std::to_string(epoch) + " x " +
                                  std::to_string(ipe) +
                                  " iterations per epoch (solver.batch_size and data.num_train must stay those of "
                                  "the run)");

  if (!s.contains("history") || !s["history"].is_object()) c.fail("history", "missing or not an object");
  const nlohmann::json& h = s["history"];
  if (!h.contains("metric") || h["metric"] != metric)
    c.fail("history.metric", (h.contains("metric") ? h["metric"].dump() : std::string("missing")) +
                                 ", the model's metric is \"" + metric + "\"");
  const auto loss = c.numbers(h, "loss_history");
  if (static_cast<int64_t>(loss.size()) != iterations)
    c.fail("history.loss_history", std::to_string(loss.size()) + " values for " + std::to_string(iterations) +
                                       " iterations");
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
  for (const char* key : {"train_acc_history", "val_acc_history"}) {
    const auto v = c.numbers(h, key);
    if (v.size() != checks.size())
      c.fail(std::string("history.") + key,
             std::to_string(v.size()) + " values for " + std::to_string(checks.size()) + " checks");
    for (double x : v) c.metric_value(std::string("history.") + key, x);
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
  History history = history_from_json(h);

  const int64_t best_epoch = c.integer(s, "best_epoch", "best_epoch");
  if (best_epoch < 0 || best_epoch > epoch)
    c.fail("best_epoch", std::to_string(best_epoch) + " is outside [0, epoch " + std::to_string(epoch) + "]");
  const double best_val = c.number(s, "best_val", "best_val");
  c.metric_value("best_val", best_val);
  std::size_t at = 0;
  while (at < checks.size() && checks[at] != best_epoch) ++at;
  if (at == checks.size()) c.fail("best_epoch", std::to_string(best_epoch) + " is not an epoch with a check");
  if (history.val_acc_history[at] != best_val)
    c.fail("best_val", "differs from history.val_acc_history at best_epoch " + std::to_string(best_epoch));

  std::map<std::string, Tensor> state, best;
  std::map<std::string, OptimState> optim;
  std::map<std::string, Tensor> optim_s1, optim_s2;
  const Device dev = model.device();
  for (const auto& kv : st.tensors) {
    const std::string& k = kv.first;
    if (k.rfind("optim.s1.", 0) == 0) optim_s1[k.substr(9)] = kv.second;
    else if (k.rfind("optim.s2.", 0) == 0) optim_s2[k.substr(9)] = kv.second;
    else if (k.rfind("best.", 0) == 0) best[k.substr(5)] = kv.second;
    else state[k] = kv.second;
  }
  const std::map<std::string, Tensor> model_state = model.state();
  const std::map<std::string, Tensor> params = model.params();
  check_tensors(lp, "", state, model_state, true);
  check_tensors(lp, "best.", best, model_state, true);
  check_tensors(lp, "optim.s1.", optim_s1, params, false);
  check_tensors(lp, "optim.s2.", optim_s2, params, false);

  // Everything checked: restore.
  for (auto& kv : best) kv.second = kv.second.to(dev);
  for (const auto& kv : optim_s1) optim[kv.first].s1 = kv.second.to(dev);
  for (const auto& kv : optim_s2) optim[kv.first].s2 = kv.second.to(dev);
  model.load_state(state);
  solver.resume(epoch, history, best_val, best_epoch, best, optim);
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
    os << "," << num("best_val") << "," << num("best_epoch") << "," << num("final_train") << ","
       << num("final_loss") << "," << num("test") << "\n";
  }
  write_file_atomic(sweep_folder.file_to_write("sweep.csv"), os.str());
}

}  // namespace convlab
