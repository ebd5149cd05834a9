// Helpers for the tests of convlab's pictures: a fresh temporary folder and
// decoding a written PNG back with stb_image.
#pragma once
#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace convlab::test {

// An empty folder under the system temp folder, unique to this process and `name`.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("convlab_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct DecodedPng {
  int width = 0, height = 0, channels = 0;
  std::vector<unsigned char> pixels;  // HWC
  unsigned char at(int y, int x, int c) const { return pixels[(static_cast<size_t>(y) * width + x) * channels + c]; }
  double variance() const {
    double sum = 0, sq = 0;
    for (unsigned char p : pixels) {
      sum += p;
      sq += static_cast<double>(p) * p;
    }
    const double n = static_cast<double>(pixels.size());
    return n == 0 ? 0 : sq / n - (sum / n) * (sum / n);
  }
};

// Decodes path with its own channel count; width 0 when it is not an image.
inline DecodedPng decode_png(const std::string& path) {
  DecodedPng d;
  unsigned char* p = stbi_load(path.c_str(), &d.width, &d.height, &d.channels, 0);
  if (p == nullptr) return DecodedPng{};
  d.pixels.assign(p, p + static_cast<size_t>(d.width) * d.height * d.channels);
  stbi_image_free(p);
  return d;
}

// True when the file starts with the PNG signature.
inline bool has_png_signature(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  unsigned char sig[8] = {};
  const size_t n = std::fread(sig, 1, 8, f);
  std::fclose(f);
  const unsigned char want[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  return n == 8 && std::equal(sig, sig + 8, want);
}

// Copies a drawn picture to $CONVLAB_PICTURE_DIR/<name> when that variable
// is set, so that a person can look at what the tests drew.
inline void keep_picture(const std::string& path, const std::string& name) {
  const char* dir = std::getenv("CONVLAB_PICTURE_DIR");
  if (dir == nullptr || *dir == '\0') return;
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(path, std::filesystem::path(dir) / name,
                             std::filesystem::copy_options::overwrite_existing);
}

}  // namespace convlab::test
