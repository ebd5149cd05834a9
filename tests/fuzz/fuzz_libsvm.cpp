// Fuzz target: the LIBSVM / svmlight text reader (parse_libsvm, host/data/libsvm.h),
// with the width taken from the file (num_features 0) and fixed at 13 (the housing data's).
// Input: the text.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "host/data/libsvm.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const int64_t num_features : {int64_t{0}, int64_t{13}}) {
    convlab::fuzz::expect_only_convlab_errors("fuzz_libsvm", [&] {
      std::istringstream in(text);
      const convlab::LibsvmData d = convlab::parse_libsvm(in, "fuzz.libsvm", num_features);
      if (d.X.ndim() != 2 || d.y.ndim() != 1 || d.X.dim(0) != d.y.dim(0) ||
          (num_features > 0 && d.X.dim(1) != num_features)) {
        std::fprintf(stderr, "fuzz_libsvm: X %s, y %s with num_features %lld\n",
                     convlab::shape_str(d.X.shape()).c_str(), convlab::shape_str(d.y.shape()).c_str(),
                     static_cast<long long>(num_features));
        std::abort();
      }
    });
  }
  return 0;
}
