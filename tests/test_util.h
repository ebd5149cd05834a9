// Helpers shared by the tests.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "host/cuda_runtime.h"

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

}  // namespace convlab::test
