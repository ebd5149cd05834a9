// A fake CIFAR-10 folder for the end-to-end tests of the run pipeline: five
// training batches and a test batch of n images each, with batches.meta.txt.
// Image i of a batch: label (i + offset) % 10, pixel k = (i * 7 + k + offset) % 256.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>

namespace convlab::test {

inline void write_fake_cifar10_batch(const std::filesystem::path& file, int n, int offset) {
  std::string bytes;
  for (int i = 0; i < n; ++i) {
    bytes.push_back(static_cast<char>((i + offset) % 10));
    for (int k = 0; k < 3072; ++k) bytes.push_back(static_cast<char>((i * 7 + k + offset) % 256));
  }
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void write_fake_cifar10(const std::filesystem::path& dir, int n) {
  std::filesystem::create_directories(dir);
  for (int b = 1; b <= 5; ++b) write_fake_cifar10_batch(dir / ("data_batch_" + std::to_string(b) + ".bin"), n, b);
  write_fake_cifar10_batch(dir / "test_batch.bin", n, 7);
  std::ofstream(dir / "batches.meta.txt") << "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
}

}  // namespace convlab::test
