// Shared by the fuzz targets (tests/fuzz/fuzz_*.cpp): the rule every target
// follows, and a temp file for readers that only take a path.
//
// convlab::Error is how a reader refuses bad input: it is swallowed. Any other
// exception escaping (nlohmann's, std::bad_alloc, std::out_of_range, ...) is a
// bug: it is printed and the process aborts, so the driver or libFuzzer keeps
// the input as a crash.
//
// Triage aid, for fuzzing past a finding that is not fixed yet: $CONVLAB_FUZZ_KNOWN holds
// '|'-separated substrings; an escaping exception whose message contains one is reported
// once and then treated like a convlab::Error. (Sanitizer reports cannot be skipped.)
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "host/error.h"

namespace convlab::fuzz {

inline bool is_known_finding(const std::string& what) {
  static const std::vector<std::string> known = [] {
    std::vector<std::string> out;
    const char* env = std::getenv("CONVLAB_FUZZ_KNOWN");
    std::string s = env ? env : "";
    for (size_t b = 0; b <= s.size();) {
      size_t e = s.find('|', b);
      if (e == std::string::npos) e = s.size();
      if (e > b) out.push_back(s.substr(b, e - b));
      b = e + 1;
    }
    return out;
  }();
  static std::set<std::string> reported;
  for (const std::string& k : known) {
    if (what.find(k) == std::string::npos) continue;
    if (reported.insert(k).second)
      std::fprintf(stderr, "fuzz: known finding (CONVLAB_FUZZ_KNOWN), going on: %s\n", what.c_str());
    return true;
  }
  return false;
}

template <class F>
void expect_only_convlab_errors(const char* target, F&& body) {
  try {
    body();
  } catch (const convlab::Error&) {
    // The input was refused with a message: the intended outcome for bad input.
  } catch (const std::exception& e) {
    if (is_known_finding(e.what())) return;
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
