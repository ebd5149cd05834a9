// Shared by the housing tests: the real file under CONVLAB_DATA_DIR, or a skip.
#pragma once
#include <fstream>
#include <string>

#include "test_util.h"

namespace convlab::test {

// Path of housing_scale, or "" when CONVLAB_DATA_DIR/housing/housing_scale is absent.
inline std::string housing_path() {
  const std::string dir = data_dir();
  const std::string path = dir + "/housing/housing_scale";
  return !dir.empty() && std::ifstream(path) ? path : std::string();
}

}  // namespace convlab::test

#define CONVLAB_REQUIRE_HOUSING(path_var)                             \
  const std::string path_var = ::convlab::test::housing_path();       \
  if (path_var.empty())                                               \
  GTEST_SKIP() << "CONVLAB_DATA_DIR/housing/housing_scale not found " \
                  "(set CONVLAB_DATA_DIR to the datasets folder)"
