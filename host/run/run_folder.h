// A run folder (docs/run-folders.md): created atomically, locked while a run
// uses it, never overwritten unless asked, never written before the run is
// validated.
#pragma once
#include <memory>
#include <string>

namespace convlab {

// A run folder held by this process: an exclusive flock on <dir>/.convlab.lock
// for as long as the object lives, so two convlab processes never write into
// one folder. Nothing is written into it (beyond the lock file) until
// begin_writing(), which the training path calls once everything that can
// fail cheaply (config, data, model, resume state) has been checked: a
// rejected run leaves an existing folder as it was.
class RunFolder {
 public:
  enum class Mode {
    fresh,      // absent (created) or empty; a folder holding files is refused
    overwrite,  // like fresh, but a previous run or sweep in it is deleted by begin_writing()
    resume,     // an existing run folder (holds config.json); nothing is deleted
  };
  static constexpr const char* kLockFile = ".convlab.lock";

  // Opens dir in `mode`: creates it with an exclusive mkdir when absent
  // (parents as needed), takes the lock without waiting and checks its
  // contents. Throws convlab::Error naming the folder: "in use by another
  // convlab process (pid N)", not empty (fresh), holds files convlab did not
  // write (overwrite), not a run folder (resume).
  static std::unique_ptr<RunFolder> open(const std::string& dir, Mode mode);
  // Creates a new folder named base, or base-2, base-3, ... when taken (each
  // name tried with an exclusive mkdir, so two processes never get the same
  // one) and locks it.
  static std::unique_ptr<RunFolder> create_unique(const std::string& base);

  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;
  // Releases the lock. A folder this object created that holds nothing but
  // the lock file (the run failed before writing) is removed.
  ~RunFolder();

  const std::string& path() const { return dir_; }
  Mode mode() const { return mode_; }
  // Path of a file in the folder, for reading.
  std::string file(const std::string& name) const;
  // Path of a file to write; throws when begin_writing() has not been called
  // (a training path writing before its checks is a bug, caught by the tests).
  std::string file_to_write(const std::string& name) const;
  // From now on the run writes: removes temporary files left by a killed
  // process and, in overwrite mode, the previous run's or sweep's files.
  void begin_writing();
  bool writing() const { return writing_; }

 private:
  RunFolder(std::string dir, Mode mode, bool created, int lock_fd);
  std::string dir_;
  Mode mode_;
  bool created_ = false;  // this object made the folder
  int lock_fd_ = -1;
  bool writing_ = false;
};

}  // namespace convlab
