// Finding real CIFAR-10 .bin files for the tests: $CONVLAB_CIFAR10_DIR, else
// $CONVLAB_DATA_DIR/cifar10-bin, else converted once from
// $CONVLAB_DATA_DIR/cifar10/cifar10-jpeg.tar.gz with python3 + Pillow into a
// cache folder under the system temp directory. "" (with the reason) when none.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "test_util.h"

namespace convlab::test {

inline bool holds_cifar10_bins(const std::filesystem::path& d) {
  std::error_code ec;
  for (const char* f : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                        "data_batch_5.bin", "test_batch.bin"})
    if (std::filesystem::file_size(d / f, ec) != 30730000 || ec) return false;
  return true;
}

inline std::string cifar10_bin_dir(std::string* why_not) {
  namespace fs = std::filesystem;
  if (const char* d = std::getenv("CONVLAB_CIFAR10_DIR"); d && holds_cifar10_bins(d)) return d;
  const std::string data = data_dir();
  if (data.empty()) {
    *why_not =
        "no CIFAR-10 .bin files: set CONVLAB_CIFAR10_DIR to a folder holding them, or CONVLAB_DATA_DIR to the "
        "datasets folder (with python3 + Pillow the test converts cifar10/cifar10-jpeg.tar.gz itself)";
    return "";
  }
  if (holds_cifar10_bins(fs::path(data) / "cifar10-bin")) return (fs::path(data) / "cifar10-bin").string();
  const fs::path tarball = fs::path(data) / "cifar10" / "cifar10-jpeg.tar.gz";
  const fs::path script = fs::path(data) / "cifar10" / "to_cifar_bin.py";
  if (!fs::exists(tarball) || !fs::exists(script)) {
    *why_not = "no CIFAR-10 .bin files and no " + tarball.string() + " to convert";
    return "";
  }
  const fs::path cache = fs::temp_directory_path() / "convlab-test-cifar10-bin";
  if (holds_cifar10_bins(cache)) return cache.string();
  for (const char* py : {"python3", "/usr/bin/python3"}) {
    const std::string probe = std::string(py) + " -c 'import PIL' > /dev/null 2>&1";
    if (std::system(probe.c_str()) != 0) continue;
    const fs::path tmp = cache.string() + ".tmp" + std::to_string(::getpid());
    const std::string cmd = std::string(py) + " '" + script.string() + "' '" + tarball.string() + "' '" + tmp.string() +
                            "' > /dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0 && holds_cifar10_bins(tmp)) {
      std::error_code ec;
      fs::rename(tmp, cache, ec);  // another test process may have won the race: then use its copy
      if (ec) fs::remove_all(tmp, ec);
      if (holds_cifar10_bins(cache)) return cache.string();
    }
  }
  *why_not = "no CIFAR-10 .bin files, and converting " + tarball.string() + " needs python3 with Pillow";
  return "";
}

}  // namespace convlab::test
