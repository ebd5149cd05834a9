// Run folders (docs/run-folders.md): never overwritten without --overwrite or
// --resume, locked while in use, default names that cannot collide, nothing
// written before the run is validated, the checkpoint and its resume state
// committed as one file, every resume value checked. A tiny fc_net on fake
// CIFAR-10 files keeps each training to milliseconds; a few checks run the
// built `convlab` binary when it is found next to the test.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "expect_error.h"
#include "host/io/atomic_file.h"
#include "host/plot/run_history.h"
#include "host/run/resume_state.h"
#include "host/run/run_files.h"
#include "host/run/train.h"
#include "host/solver/safetensors.h"

using namespace convlab;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Image i of a fake batch: label (i + offset) % 10, pixel k = (i * 7 + k) % 256.
void write_batch(const fs::path& file, int n, int offset) {
  std::string bytes;
  for (int i = 0; i < n; ++i) {
    bytes.push_back(static_cast<char>((i + offset) % 10));
    for (int k = 0; k < 3072; ++k) bytes.push_back(static_cast<char>((i * 7 + k + offset) % 256));
  }
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json(const fs::path& p) { return json::parse(read_file(p)); }

// Every file under dir (relative path -> bytes) except the lock file, whose
// content is the pid of its last holder.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_directory()) {
      files[fs::relative(e.path(), dir).string() + "/"] = "";
      continue;
    }
    if (e.path().filename() == RunFolder::kLockFile) continue;
    files[fs::relative(e.path(), dir).string()] = read_file(e.path());
  }
  return files;
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// Rewrites the resume state embedded in a last.safetensors.
template <class F>
void edit_resume_state(const fs::path& last, F&& edit) {
  SafeTensors st = load_safetensors(last.string());
  json s = json::parse(st.metadata.at("resume_state"));
  edit(s);
  st.metadata["resume_state"] = s.dump();
  save_safetensors(last.string(), st.tensors, st.metadata);
}

// The built convlab binary: next to the test's folder (build/tests/.. or build/), or "".
std::string convlab_binary() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  for (const fs::path& p : {exe.parent_path() / "convlab", exe.parent_path().parent_path() / "convlab"})
    if (fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0) return p.string();
  return "";
}

// Runs a shell command; returns its exit status and (in *output) stdout + stderr.
int run_shell(const std::string& cmd, std::string* output) {
  FILE* f = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return -1;
  char buf[4096];
  output->clear();
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) output->append(buf, n);
  const int rc = ::pclose(f);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class RunFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("convlab-runfolder-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "cifar");
    // 5 x 20 training images (60 train, 20 val used) and 20 test images.
    for (int b = 1; b <= 5; ++b) write_batch(dir_ / "cifar" / ("data_batch_" + std::to_string(b) + ".bin"), 20, b);
    write_batch(dir_ / "cifar" / "test_batch.bin", 20, 7);
    std::ofstream(dir_ / "cifar" / "batches.meta.txt")
        << "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // fc_net, 2 epochs of 3 iterations (batch 20 of 60 images).
  json config() const {
    json j = json::parse(R"({
      "data": {"num_training": 60, "num_validation": 20, "num_test": 10},
      "model": {"type": "fc_net", "hidden_dims": [8], "weight_scale": 1e-3},
      "solver": {"update_rule": "sgd", "optim_config": {"learning_rate": 1e-3}, "num_epochs": 2,
                 "batch_size": 20, "verbose": false, "seed": 1},
      "device": "cpu"
    })");
    j["data"]["path"] = (dir_ / "cifar").string();
    j["output"]["dir"] = (dir_ / "runs").string();
    return j;
  }
  std::string write_config(const json& j, const std::string& name = "cfg.json") {
    const std::string p = (dir_ / name).string();
    std::ofstream(p) << j.dump(2);
    return p;
  }
  // Trains j into --out `out` ("" = the default folder); expects exit status 0.
  std::string train(const json& j, const std::string& out, TrainOptions opt = {}) {
    opt.out_dir = out;
    std::ostringstream printed;
    EXPECT_EQ(train_command(write_config(j), opt, printed), 0) << printed.str();
    return printed.str();
  }
  std::string resume(const std::string& run, std::vector<std::string> overrides = {}) {
    TrainOptions opt;
    opt.resume_dir = run;
    opt.overrides = std::move(overrides);
    std::ostringstream printed;
    EXPECT_EQ(train_command("", opt, printed), 0) << printed.str();
    return printed.str();
  }
  std::string run_path(const std::string& name = "run") const { return (dir_ / name).string(); }

  fs::path dir_;
};

// ---- 1. an existing folder is never overwritten without --overwrite or --resume

TEST_F(RunFolderTest, AnExistingRunFolderIsRefusedAndLeftAlone) {
  const std::string run = run_path();
  train(config(), run);
  const auto before = snapshot(run);
  json other = config();
  other["model"]["hidden_dims"] = json::array({4, 4});
  std::ostringstream printed;
  TrainOptions opt;
  opt.out_dir = run;
  EXPECT_ERROR_CONTAINS(train_command(write_config(other), opt, printed), "run folder " + run + " is not empty");
  EXPECT_ERROR_CONTAINS(train_command(write_config(other), opt, printed), "--resume " + run);
  EXPECT_ERROR_CONTAINS(train_command(write_config(other), opt, printed), "--overwrite");
  EXPECT_EQ(snapshot(run), before);
}

TEST_F(RunFolderTest, AFolderOfOtherFilesIsRefusedAndAnEmptyOneIsUsed) {
  fs::create_directories(run_path("notes"));
  std::ofstream(dir_ / "notes" / "todo.txt") << "keep me";
  TrainOptions opt;
  opt.out_dir = run_path("notes");
  std::ostringstream printed;
  EXPECT_ERROR_CONTAINS(train_command(write_config(config()), opt, printed), "is not empty (it holds todo.txt)");
  EXPECT_EQ(names_in(dir_ / "notes"), std::set<std::string>({"todo.txt"}));  // not even a lock file

  fs::create_directories(run_path("empty"));
  train(config(), run_path("empty"));
  EXPECT_TRUE(fs::exists(dir_ / "empty" / "summary.json"));
}

TEST_F(RunFolderTest, OverwriteReplacesTheOldRunWithoutStaleFiles) {
  const std::string run = run_path();
  train(config(), run);
  ASSERT_TRUE(fs::exists(fs::path(run) / "last.safetensors"));
  std::ofstream(fs::path(run) / ".history.json.tmp") << "left by a killed write";
  // The new run writes no checkpoints: none of the old run's may remain.
  json other = config();
  other["model"]["hidden_dims"] = json::array({4});
  other["output"]["save_checkpoint"] = false;
  TrainOptions opt;
  opt.overwrite = true;
  train(other, run, opt);
  std::set<std::string> want = {".convlab.lock", "config.json", "history.csv", "history.json", "summary.json"};
  if (fs::exists(fs::path(run) / "training.png")) want.insert("training.png");  // with gnuplot
  EXPECT_EQ(names_in(run), want) << "stale files of the old run left";
  EXPECT_EQ(read_json(fs::path(run) / "config.json")["model"]["hidden_dims"], json::array({4}));
}

TEST_F(RunFolderTest, OverwriteRefusesAFolderHoldingFilesConvlabDidNotWrite) {
  const std::string run = run_path();
  train(config(), run);
  std::ofstream(fs::path(run) / "notes.txt") << "mine";
  const auto before = snapshot(run);
  TrainOptions opt;
  opt.out_dir = run;
  opt.overwrite = true;
  std::ostringstream printed;
  EXPECT_ERROR_CONTAINS(train_command(write_config(config()), opt, printed),
                        "run folder " + run + " holds notes.txt, which is not a file convlab writes");
  EXPECT_EQ(snapshot(run), before);
}

TEST_F(RunFolderTest, OverwriteAndResumeNeedTheRightOptions) {
  std::ostringstream printed;
  TrainOptions no_out;
  no_out.overwrite = true;
  EXPECT_ERROR_CONTAINS(train_command(write_config(config()), no_out, printed), "--overwrite needs --out DIR");
  TrainOptions both;
  both.resume_dir = run_path();
  both.overwrite = true;
  EXPECT_ERROR_CONTAINS(train_command("", both, printed), "--resume and --overwrite exclude each other");
  TrainOptions resume_out;
  resume_out.resume_dir = run_path();
  resume_out.out_dir = run_path("elsewhere");
  EXPECT_ERROR_CONTAINS(train_command("", resume_out, printed), "--out does not apply");
  TrainOptions absent;
  absent.resume_dir = run_path("absent");
  EXPECT_ERROR_CONTAINS(train_command("", absent, printed), "not a run folder");
  EXPECT_FALSE(fs::exists(run_path("absent")));
}

TEST_F(RunFolderTest, ASweepFolderIsRefusedThenOverwrittenWhole) {
  json sweep = config();
  sweep["solver"]["num_epochs"] = 1;
  sweep["sweep"] = {{"model.weight_scale", {1e-3, 2e-3, 3e-3}}};
  const std::string out = run_path("sweep");
  train(sweep, out);
  EXPECT_TRUE(fs::exists(fs::path(out) / "run003" / "summary.json"));
  const auto before = snapshot(out);
  TrainOptions opt;
  opt.out_dir = out;
  std::ostringstream printed;
  EXPECT_ERROR_CONTAINS(train_command(write_config(sweep), opt, printed), "run folder " + out + " is not empty");
  EXPECT_EQ(snapshot(out), before);

  // A smaller sweep replaces it: no run003 of the old one stays.
  sweep["sweep"]["model.weight_scale"] = {4e-3, 5e-3};
  opt.overwrite = true;
  train(sweep, out, opt);
  EXPECT_EQ(names_in(out), std::set<std::string>({".convlab.lock", "run001", "run002", "sweep.csv", "sweep.json"}));
  EXPECT_EQ(read_json(fs::path(out) / "sweep.json").size(), 2u);
  EXPECT_EQ(read_json(fs::path(out) / "run002" / "config.json")["model"]["weight_scale"], 5e-3);

  // A file of the user's inside one of the sweep's runs stops --overwrite.
  std::ofstream(fs::path(out) / "run001" / "notes.txt") << "mine";
  json single = config();
  EXPECT_ERROR_CONTAINS(train_command(write_config(single), opt, printed), "holds run001/notes.txt");
  fs::remove(fs::path(out) / "run001" / "notes.txt");
  // A single run replaces a sweep.
  train(single, out, opt);
  EXPECT_FALSE(fs::exists(fs::path(out) / "run001"));
  EXPECT_FALSE(fs::exists(fs::path(out) / "sweep.json"));
  EXPECT_TRUE(fs::exists(fs::path(out) / "summary.json"));
}

// ---- 2. one process per folder; default names that cannot collide

TEST_F(RunFolderTest, AFolderInUseIsRefusedAtOnceForTrainOverwriteAndResume) {
  const std::string run = run_path();
  train(config(), run);
  // Another process's lock: an flock on the lock file through another open file description.
  const int fd = ::open((fs::path(run) / RunFolder::kLockFile).c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ASSERT_EQ(::ftruncate(fd, 0), 0);
  ASSERT_EQ(::pwrite(fd, "4242\n", 5, 0), 5);
  const auto before = snapshot(run);
  const std::string in_use = "run folder " + run + " is in use by another convlab process (pid 4242)";
  std::ostringstream printed;
  TrainOptions fresh;
  fresh.out_dir = run;
  EXPECT_ERROR_CONTAINS(train_command(write_config(config()), fresh, printed), in_use);
  TrainOptions overwrite = fresh;
  overwrite.overwrite = true;
  EXPECT_ERROR_CONTAINS(train_command(write_config(config()), overwrite, printed), in_use);
  TrainOptions res;
  res.resume_dir = run;
  res.overrides = {"solver.num_epochs=3"};
  EXPECT_ERROR_CONTAINS(train_command("", res, printed), in_use);
  EXPECT_EQ(snapshot(run), before);
  ::close(fd);
  resume(run, {"solver.num_epochs=3"});  // free again
}

TEST_F(RunFolderTest, AKilledProcessReleasesTheLock) {
  const std::string run = run_path();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto f = RunFolder::open(run, RunFolder::Mode::fresh);
    ::kill(::getpid(), SIGKILL);  // no destructor, no cleanup: as kill -9
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(names_in(run), std::set<std::string>({".convlab.lock"}));
  // The kernel dropped the lock; a folder holding only the lock file counts as empty.
  train(config(), run);
  EXPECT_TRUE(fs::exists(fs::path(run) / "summary.json"));
}

TEST_F(RunFolderTest, DefaultFolderNamesNeverCollide) {
  // Eight runs claiming the same name at once each get their own folder.
  const std::string base = run_path("same-second");
  std::vector<std::unique_ptr<RunFolder>> folders(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < folders.size(); ++i)
    threads.emplace_back([&, i] { folders[i] = RunFolder::create_unique(base); });
  for (auto& t : threads) t.join();
  std::set<std::string> paths;
  for (const auto& f : folders) paths.insert(f->path());
  EXPECT_EQ(paths.size(), 8u);
  EXPECT_TRUE(paths.count(base));
  EXPECT_TRUE(paths.count(base + "-8"));
  for (auto& f : folders) {
    f->begin_writing();
    write_run_json(*f, "summary.json", json::object());
  }
  EXPECT_EQ(RunFolder::create_unique(base)->path(), base + "-9");

  // Two trainings of one config without --out: two folders.
  train(config(), "");
  train(config(), "");
  const auto runs = names_in(dir_ / "runs");
  EXPECT_EQ(runs.size(), 2u);
  for (const auto& r : runs) EXPECT_TRUE(fs::exists(dir_ / "runs" / r / "summary.json")) << r;
}

TEST_F(RunFolderTest, AFailedRunLeavesNoFolderItCreated) {
  json bad = config();
  bad["data"]["path"] = (dir_ / "nowhere").string();
  TrainOptions opt;
  opt.out_dir = run_path("new");
  std::ostringstream printed;
  EXPECT_ERROR_CONTAINS(train_command(write_config(bad), opt, printed), "nowhere");
  EXPECT_FALSE(fs::exists(run_path("new")));
  EXPECT_ERROR_CONTAINS(train_command(write_config(bad), TrainOptions{}, printed), "nowhere");
  EXPECT_FALSE(fs::exists(dir_ / "runs") && !fs::is_empty(dir_ / "runs"));
}

// ---- 3. nothing in a folder changes before the run is validated

TEST_F(RunFolderTest, ARejectedResumeLeavesTheFolderAsItWas) {
  const std::string run = run_path();
  train(config(), run);
  const auto before = snapshot(run);
  TrainOptions res;
  res.resume_dir = run;
  std::ostringstream printed;
  auto rejected = [&](std::vector<std::string> overrides, const std::string& why) {
    res.overrides = std::move(overrides);
    EXPECT_ERROR_CONTAINS(train_command("", res, printed), why);
    EXPECT_EQ(snapshot(run), before) << "changed by a resume rejected with: " << why;
  };
  rejected({"solver.batch_size=-3"}, "solver.batch_size");
  rejected({"solver.num_epochs=1"}, "is beyond solver.num_epochs 1");
  rejected({}, "the run is finished (all 2 epochs of solver.num_epochs are done)");
  rejected({"solver.num_epochs=3", "model.hidden_dims=[16]"}, "was model changed with --set?");
  rejected({"solver.num_epochs=3", "solver.batch_size=30"}, "key \"iterations_done\"");
  rejected({"solver.num_epochs=3", "data.path=" + (dir_ / "nowhere").string()}, "nowhere");
  rejected({"solver.num_epochs=3", "sweep={\"solver.batch_size\": [10, 20]}"}, "resuming a sweep is not supported");
  // The folder still resumes.
  const std::string text = resume(run, {"solver.num_epochs=3"});
  EXPECT_NE(text.find("resuming after epoch 2 of 3"), std::string::npos) << text;
  EXPECT_EQ(read_json(fs::path(run) / "config.json")["solver"]["num_epochs"], 3);
  EXPECT_EQ(read_json(fs::path(run) / "history.json")["loss_history"].size(), 9u);
}

TEST_F(RunFolderTest, AWriteBeforeBeginWritingIsABug) {
  auto f = RunFolder::open(run_path(), RunFolder::Mode::fresh);
  EXPECT_ERROR_CONTAINS(write_run_json(*f, "config.json", json::object()), "written before the run was validated");
  f->begin_writing();
  write_run_json(*f, "config.json", json::object());
  EXPECT_TRUE(fs::exists(fs::path(run_path()) / "config.json"));
}

// ---- 4. the checkpoint and its resume state are one file; temporary files are cleaned

TEST_F(RunFolderTest, ResumeUsesTheStateInsideTheCheckpointNotStateJson) {
  // A kill between the renames of the old writer left last.safetensors of
  // epoch 1 next to state.json of epoch 2: resume follows the checkpoint.
  const std::string run = run_path(), older = run_path("older");
  train(config(), run);
  json first = config();
  first["solver"]["num_epochs"] = 1;
  train(first, older);  // the same run, stopped after epoch 1
  const json state_json_before = read_json(fs::path(run) / "state.json");
  ASSERT_EQ(state_json_before["epoch"], 2);
  fs::copy_file(fs::path(older) / "last.safetensors", fs::path(run) / "last.safetensors",
                fs::copy_options::overwrite_existing);
  const std::string text = resume(run, {"solver.num_epochs=3"});
  EXPECT_NE(text.find("resuming after epoch 1 of 3"), std::string::npos) << text;
  const json h = read_json(fs::path(run) / "history.json");
  EXPECT_EQ(h["loss_history"].size(), 9u);
  EXPECT_EQ(h["check_epoch"], json({0, 1, 2, 3}));
  EXPECT_EQ(read_json(fs::path(run) / "state.json")["epoch"], 3);

  // state.json is never read: a broken one does not matter.
  std::ofstream(fs::path(run) / "state.json") << "{ broken";
  const std::string again = resume(run, {"solver.num_epochs=4"});
  EXPECT_NE(again.find("resuming after epoch 3 of 4"), std::string::npos) << again;
}

TEST_F(RunFolderTest, ResumeRewritesBestCheckpointFromTheRestoredState) {
  const std::string run = run_path();
  train(config(), run);
  std::ofstream(fs::path(run) / "best.safetensors") << "not a checkpoint";  // e.g. from a later, killed epoch
  resume(run, {"solver.num_epochs=3"});
  const SafeTensors best = load_safetensors((fs::path(run) / "best.safetensors").string());
  const int best_epoch = read_json(fs::path(run) / "summary.json")["best_epoch"].get<int>();
  EXPECT_EQ(best.metadata.at("epoch"), std::to_string(best_epoch));
}

TEST_F(RunFolderTest, ACheckpointWithoutEmbeddedStateIsRefused) {
  const std::string run = run_path();
  train(config(), run);
  SafeTensors st = load_safetensors((fs::path(run) / "last.safetensors").string());
  save_safetensors((fs::path(run) / "last.safetensors").string(), st.tensors, {{"format", "convlab"}});
  TrainOptions res;
  res.resume_dir = run;
  res.overrides = {"solver.num_epochs=3"};
  std::ostringstream printed;
  EXPECT_ERROR_CONTAINS(train_command("", res, printed), "last.safetensors: no resume state in the checkpoint");
}

TEST_F(RunFolderTest, LeftoverTemporaryFilesAreRemovedOthersKept) {
  const std::string run = run_path();
  train(config(), run);
  for (const char* f : {".last.safetensors.tmp", "..last.safetensors.tmp.tmp", ".state.json.tmp", ".training.png.tmp"})
    std::ofstream(fs::path(run) / f) << "partial";
  std::ofstream(fs::path(run) / ".mine.tmp") << "not convlab's";
  resume(run, {"solver.num_epochs=3"});
  const auto names = names_in(run);
  for (const auto& n : names) EXPECT_TRUE(n == ".mine.tmp" || n.size() < 4 || n.substr(n.size() - 4) != ".tmp") << n;
  EXPECT_TRUE(names.count(".mine.tmp"));
}

TEST_F(RunFolderTest, AFailedWriteKeepsThePreviousFile) {
  fs::create_directories(run_path());
  write_file_atomic((fs::path(run_path()) / "a.json").string(), "old\n");
  fs::create_directories(fs::path(run_path()) / ".a.json.tmp");  // the temporary file cannot be created
  EXPECT_ERROR_CONTAINS(write_file_atomic((fs::path(run_path()) / "a.json").string(), "new\n"),
                        ".a.json.tmp: cannot create file");
  EXPECT_EQ(read_file(fs::path(run_path()) / "a.json"), "old\n");
}

// ---- history.json: a classifier's keys are cs231n's names, as before

TEST_F(RunFolderTest, AClassifierRunKeepsTheAccuracyHistoryKeys) {
  const std::string run = run_path();
  train(config(), run);
  const std::set<std::string> keys = {"metric",      "loss_history", "train_acc_history", "val_acc_history",
                                      "check_epoch", "epoch_time_s", "images_per_s"};
  auto keys_of = [](const json& j) {
    std::set<std::string> k;
    for (const auto& item : j.items()) k.insert(item.key());
    return k;
  };
  const json h = read_json(fs::path(run) / "history.json");
  EXPECT_EQ(keys_of(h), keys);
  EXPECT_EQ(h["metric"], "acc");
  EXPECT_EQ(h["train_acc_history"].size(), 3u);  // epochs 0, 1, 2
  EXPECT_EQ(keys_of(read_json(fs::path(run) / "state.json")["history"]), keys);
  EXPECT_EQ(read_file(fs::path(run) / "history.csv").substr(0, 16), "epoch,train_acc,");
  const RunHistory r = read_run_history(run);
  EXPECT_EQ(r.metric_name, "acc");
  EXPECT_EQ(r.metric_label, "accuracy");
  EXPECT_EQ(r.val_metric, h["val_acc_history"].get<std::vector<double>>());
}

// ---- 5. every value of the resume state is checked

TEST_F(RunFolderTest, EveryResumeValueIsChecked) {
  const std::string run = run_path();
  train(config(), run);
  const fs::path last = fs::path(run) / "last.safetensors";
  const std::string good = read_file(last);
  const std::string file = last.string() + ": resume state key ";
  struct Case {
    std::function<void(json&)> edit;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](json& s) { s["best_val"] = 2.0; }, file + "\"best_val\": 2 is outside [0, 1] (metric acc)"},
      {[](json& s) { s["best_val"] = -0.5; }, file + "\"best_val\": -0.5 is outside [0, 1]"},
      {[](json& s) { s["best_val"] = 0.123; }, file + "\"best_val\": differs from history.val_acc_history"},
      {[](json& s) { s["best_epoch"] = 99; }, file + "\"best_epoch\": 99 is outside [0, epoch 2]"},
      {[](json& s) { s["best_epoch"] = -1; }, file + "\"best_epoch\": -1 is outside [0, epoch 2]"},
      {[](json& s) { s["epoch"] = 0; }, file + "\"epoch\": 0 is not >= 1"},
      {[](json& s) { s["epoch"] = -4; }, file + "\"epoch\": -4 is not >= 1"},
      {[](json& s) { s["epoch"] = 7; }, file + "\"epoch\": 7 is beyond solver.num_epochs 3"},
      {[](json& s) { s["epoch"] = "2"; }, file + "\"epoch\": missing or not an integer"},
      {[](json& s) { s.erase("best_val"); }, file + "\"best_val\": missing or not a number"},
      {[](json& s) { s["iterations_done"] = 5; }, file + "\"iterations_done\": 5 is not epoch 2 x 3"},
      {[](json& s) { s["history"]["loss_history"].erase(0); }, file + "\"history.loss_history\": 5 values for 6"},
      {[](json& s) {
         s["history"]["check_epoch"] = {0, 2, 1};
       },
       file + "\"history.check_epoch\""},
      {[](json& s) { s["history"]["val_acc_history"][1] = 1.5; }, file + "\"history.val_acc_history\": 1.5 is outside"},
      {[](json& s) { s["history"]["train_acc_history"].erase(0); },
       file + "\"history.train_acc_history\": 2 values for 3 checks"},
      {[](json& s) {
         s["history"]["epoch_time_s"] = {1, 2, 3, 4};
       },
       file + "\"history.epoch_time_s\": 4 values"},
      {[](json& s) { s["history"]["metric"] = "mae"; }, file + "\"history.metric\": \"mae\""},
      {[](json& s) {
         s["history"]["train_mae_history"] = s["history"]["train_acc_history"];
         s["history"].erase("train_acc_history");
       },
       file + "\"history.train_acc_history\": missing or not an array"},
      {[](json& s) { s["history"] = 3; }, file + "\"history\": missing or not an object"},
  };
  TrainOptions res;
  res.resume_dir = run;
  res.overrides = {"solver.num_epochs=3"};
  for (const auto& c : cases) {
    { std::ofstream(last, std::ios::binary) << good; }
    edit_resume_state(last, c.edit);
    const auto before = snapshot(run);
    std::ostringstream printed;
    EXPECT_ERROR_CONTAINS(train_command("", res, printed), c.message);
    EXPECT_EQ(snapshot(run), before) << c.message;
  }
  // A resumed run that was already finished.
  { std::ofstream(last, std::ios::binary) << good; }
  TrainOptions finished;
  finished.resume_dir = run;
  std::ostringstream printed;
  EXPECT_ERROR_CONTAINS(train_command("", finished, printed),
                        "--resume " + run +
                            ": the run is finished (all 2 epochs of solver.num_epochs are done); "
                            "to train longer add --set solver.num_epochs=N with N > 2");
  resume(run, {"solver.num_epochs=3"});  // the intact state resumes
}

// ---- the CLI

TEST_F(RunFolderTest, CliRefusesReusedOutAndAFolderInUse) {
  const std::string exe = convlab_binary();
  if (exe.empty()) GTEST_SKIP() << "the convlab binary is not next to the test";
  const std::string cfg = write_config(config());
  const std::string run = run_path();
  std::string text;
  ASSERT_EQ(run_shell("'" + exe + "' train '" + cfg + "' --out '" + run + "'", &text), 0) << text;
  EXPECT_EQ(run_shell("'" + exe + "' train '" + cfg + "' --out '" + run + "'", &text), 2) << text;
  EXPECT_NE(text.find("convlab: error: run folder " + run + " is not empty"), std::string::npos) << text;
  EXPECT_EQ(run_shell("'" + exe + "' train '" + cfg + "' --out '" + run + "' --overwrite", &text), 0) << text;

  const int fd = ::open((fs::path(run) / RunFolder::kLockFile).c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const std::string pid = std::to_string(::getpid()) + "\n";
  ASSERT_EQ(::pwrite(fd, pid.data(), pid.size(), 0), static_cast<ssize_t>(pid.size()));
  EXPECT_EQ(run_shell("'" + exe + "' train --resume '" + run + "' --set solver.num_epochs=3", &text), 2) << text;
  EXPECT_NE(text.find("convlab: error: run folder " + run + " is in use by another convlab process (pid " +
                      std::to_string(::getpid()) + ")"),
            std::string::npos)
      << text;
  ::close(fd);
  EXPECT_EQ(run_shell("'" + exe + "' train --resume '" + run + "' --set solver.num_epochs=3", &text), 0) << text;
}

}  // namespace

// ---- fractional num_epochs and learning-rate schedules through `convlab train`

TEST_F(RunFolderTest, AFractionalRunEndsWithAPartialEpochAndResumesFromFullOnes) {
  json j = config();
  j["solver"]["num_epochs"] = 1.5;  // 3 iterations per epoch: ceil(4.5) = 5 iterations
  j["solver"]["lr_schedule"] = {{"type", "cosine"}, {"final", 0.1}};
  const std::string run = run_path();
  const std::string text = train(j, run);
  EXPECT_NE(text.find("lr schedule: cosine: 0.001 -> 0.0001 (cosine) over 5 iterations"), std::string::npos) << text;
  const json summary = read_json(fs::path(run) / "summary.json");
  EXPECT_EQ(summary["epochs"], 2);
  EXPECT_EQ(summary["iterations"], 5);
  const json h = read_json(fs::path(run) / "history.json");
  EXPECT_EQ(h["loss_history"].size(), 5u);
  EXPECT_EQ(h["check_epoch"], json({0, 1, 2}));
  const json state = read_json(fs::path(run) / "state.json");
  EXPECT_EQ(state["epoch"], 2);
  EXPECT_EQ(state["iterations_done"], 5);
  const json cfg = read_json(fs::path(run) / "config.json");
  EXPECT_EQ(cfg["solver"]["num_epochs"], 1.5);
  EXPECT_EQ(cfg["solver"]["lr_schedule"], json::parse(R"({"type": "cosine", "final": 0.1})"));

  TrainOptions res;
  res.resume_dir = run;
  std::ostringstream printed;
  // Its state ends with the partial epoch: that is said first, also without --set.
  EXPECT_ERROR_CONTAINS(train_command("", res, printed), "the run ended with a partial epoch 2");
  res.overrides = {"solver.num_epochs=3"};
  EXPECT_ERROR_CONTAINS(train_command("", res, printed),
                        "\"iterations_done\": 5 is not epoch 2 x 3: the run ended with a partial epoch 2 (fractional ");

  // A run stopped after its first full epoch continues to 2.5 epochs: 8 iterations, checks 0..3.
  const std::string part = run_path("part");
  json first = config();
  first["solver"]["num_epochs"] = 1;
  train(first, part);
  const std::string again = resume(part, {"solver.num_epochs=2.5"});
  EXPECT_NE(again.find("resuming after epoch 1 of 2.5"), std::string::npos) << again;
  const json h2 = read_json(fs::path(part) / "history.json");
  EXPECT_EQ(h2["loss_history"].size(), 8u);
  EXPECT_EQ(h2["check_epoch"], json({0, 1, 2, 3}));
  EXPECT_EQ(read_json(fs::path(part) / "summary.json")["iterations"], 8);

  // A schedule over the whole run cannot be stretched by a resume.
  const std::string cos = run_path("cosine");
  json c1 = config();
  c1["solver"]["num_epochs"] = 1;
  c1["solver"]["lr_schedule"] = {{"type", "cosine"}};
  train(c1, cos);
  TrainOptions longer;
  longer.resume_dir = cos;
  longer.overrides = {"solver.num_epochs=2"};
  EXPECT_ERROR_CONTAINS(train_command("", longer, printed),
                        "solver.num_epochs makes the run 6 iterations long instead of its 3, but its lr_schedule "
                        "\"cosine\" is planned over the whole run");
}
