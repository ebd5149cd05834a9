// Helpers shared by the tests.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "host/cuda_runtime.h"
#include "host/tensor.h"

// Skips the current test, with the reason, when no usable GPU is present.
#define CONVLAB_REQUIRE_GPU()                                              \
  do {                                                                     \
    if (!::convlab::cuda::available())                                     \
      GTEST_SKIP() << "no GPU: " << ::convlab::cuda::no_gpu_reason();      \
  } while (0)

namespace convlab::test {

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
