// Shared by the fuzz targets (tests/fuzz/fuzz_*.cpp): the rule every target
// follows, and a temp file for readers that only take a path.
//
// convlab::Error is how a reader refuses bad input: it is swallowed. Any other
// exception escaping (nlohmann's, std::bad_alloc, std::out_of_range, ...) is a
// bug: it is printed and the process aborts, so the driver or libFuzzer keeps
// the input as a crash.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include <unistd.h>

#include "host/error.h"

namespace convlab::fuzz {

template <class F>
void expect_only_convlab_errors(const char* target, F&& body) {
  try {
    body();
  } catch (const convlab::Error&) {
    // The input was refused with a message: the intended outcome for bad input.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: a non-convlab exception escaped: %s\n", target, e.what());
    std::fflush(stderr);
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "%s: an exception of unknown type escaped\n", target);
    std::fflush(stderr);
    std::abort();
  }
}

// One file per process in $TMPDIR (or /tmp), rewritten for every input; the
// readers under test take a path. Removed at exit.
class TempFile {
 public:
  explicit TempFile(const char* stem) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/convlab-" + stem + "-" + std::to_string(getpid());
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& write(const uint8_t* data, size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
      std::fprintf(stderr, "fuzz: cannot write %s\n", path_.c_str());
      std::abort();  // a harness failure, not a finding; stop loudly
    }
    return path_;
  }

 private:
  std::string path_;
};

}  // namespace convlab::fuzz
