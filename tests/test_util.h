// Helpers shared by the tests.
#pragma once
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/ops/registry.h"
#include "host/tensor.h"
#include "kernels/runtime/cuda_device.h"

// Skips the current test, with the reason, when no usable GPU is present.
#define CONVLAB_REQUIRE_GPU()                                                                          \
  do {                                                                                                 \
    if (!::convlab::cuda::available()) GTEST_SKIP() << "no GPU: " << ::convlab::cuda::no_gpu_reason(); \
  } while (0)

// Skips the current test in a build without CUDA, which registers no CUDA
// variant; the tests of the CUDA registry need no GPU and run in CUDA builds.
#if CONVLAB_HAVE_CUDA
#define CONVLAB_REQUIRE_CUDA_BUILD() \
  do {                               \
  } while (0)
#else
#define CONVLAB_REQUIRE_CUDA_BUILD() GTEST_SKIP() << "built without CUDA: no CUDA variant is registered"
#endif

namespace convlab::test {

// Fixture of the CPU reference tests: while one runs, every op called without
// an explicit variant runs its "reference" variant on the CPU (the CPU default
// is "threaded"), so these tests check the ground truth itself. The preference
// is set for the test alone: the threaded and GPU tests in the same executable
// run without it.
class ReferenceVariants : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = preferred_variant(Device::cpu);
    set_preferred_variant(Device::cpu, "reference");
  }
  void TearDown() override { set_preferred_variant(Device::cpu, previous_); }

 private:
  std::string previous_;
};

// A temporary folder named after the test (and `prefix`), made empty at the
// start and removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& prefix = "convlab-test") {
    path = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `bytes` to path/name; returns the file's path.
  std::string write(const std::string& name, const std::string& bytes) const {
    const auto p = path / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
};

// Folder of the real datasets (../shared/datasets layout), from the
// environment variable CONVLAB_DATA_DIR; "" when unset.
inline std::string data_dir() {
  const char* d = std::getenv("CONVLAB_DATA_DIR");
  return d ? std::string(d) : std::string();
}

// "2x3x7x5": a shape as a fragment of a parameterised test's name.
inline std::string shape_tag(const Shape& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out;
}

}  // namespace convlab::test
