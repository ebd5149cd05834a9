// Fuzz target: one CIFAR-10 binary batch file (read_cifar10_batch, host/data/cifar10.h).
// Input: the file's bytes.
#include <cstddef>
#include <cstdint>

#include "host/data/cifar10.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static convlab::fuzz::TempFile file("fuzz-cifar10");
  const std::string& path = file.write(data, size);
  convlab::fuzz::expect_only_convlab_errors("fuzz_cifar10", [&] {
    const convlab::CifarImages c = convlab::read_cifar10_batch(path);
    // A batch that loads must be self-consistent: N images, N labels in 0..9.
    if (c.images.ndim() != 4 || c.labels.ndim() != 1 || c.images.dim(0) != c.labels.dim(0) ||
        c.images.dim(0) * convlab::kCifarRecordBytes != static_cast<int64_t>(size)) {
      std::fprintf(stderr, "fuzz_cifar10: loaded %s images and %s labels from %zu bytes\n",
                   convlab::shape_str(c.images.shape()).c_str(), convlab::shape_str(c.labels.shape()).c_str(), size);
      std::abort();
    }
    const int32_t* labels = c.labels.data<int32_t>();
    for (int64_t i = 0; i < c.labels.dim(0); ++i)
      if (labels[i] < 0 || labels[i] > 9) {
        std::fprintf(stderr, "fuzz_cifar10: label %d accepted\n", labels[i]);
        std::abort();
      }
  });
  return 0;
}
