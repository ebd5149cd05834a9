#include "host/run/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

#include "host/error.h"

namespace convlab {

namespace fs = std::filesystem;

namespace {

// The files a run writes, and those a sweep writes next to its runNNN folders.
const std::set<std::string>& run_file_names() {
  static const std::set<std::string> names = {"config.json",      "history.json", "history.csv",  "best.safetensors",
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
    CONVLAB_CHECK(e != EWOULDBLOCK,
                  "run folder " << dir.string() << " is in use by another convlab process (pid " << pid << ")");
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

// Removes a folder this process created, with its lock file (best effort).
void remove_created_folder(const fs::path& dir) {
  std::error_code ec;
  fs::remove(dir / RunFolder::kLockFile, ec);
  fs::remove(dir, ec);
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
    if (created) remove_created_folder(p);
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
      remove_created_folder(dir);
      throw;
    }
    return std::unique_ptr<RunFolder>(new RunFolder(dir, Mode::fresh, true, fd));
  }
  throw Error(base + ": 1000 run folders of this name exist already (" + base + "-2 ... -1000); set output.name");
}

RunFolder::~RunFolder() {
  if (created_) {
    // The run failed before writing anything: leave no empty folder behind.
    try {
      if (contents_of(dir_).empty()) {
        remove_leftover_temps(dir_);
        remove_created_folder(dir_);
      }
    } catch (const std::exception&) {
      // A folder that cannot be listed is left as it is.
    }
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string RunFolder::file(const std::string& name) const { return (fs::path(dir_) / name).string(); }

std::string RunFolder::file_to_write(const std::string& name) const {
  CONVLAB_CHECK(writing_,
                "internal error: " << file(name) << " written before the run was validated (RunFolder::begin_writing)");
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

}  // namespace convlab
