// Writes safetensors files byte by byte from the format's description, so
// that the reader is tested against the format rather than against itself.
#pragma once
#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace convlab::test {

struct RawTensor {
  std::string name, dtype;
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;
};

inline RawTensor f32_tensor(std::string name, std::vector<int64_t> shape, const std::vector<float>& v) {
  RawTensor t{std::move(name), "F32", std::move(shape), std::vector<unsigned char>(v.size() * 4)};
  std::memcpy(t.bytes.data(), v.data(), t.bytes.size());  // the test machines are little-endian
  return t;
}

// header_override, when not empty, replaces the generated JSON header.
inline void write_safetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                              const std::string& header_override = "") {
  nlohmann::json h = nlohmann::json::object();
  h["__metadata__"] = {{"format", "pt"}};
  uint64_t offset = 0;
  for (const RawTensor& t : tensors) {
    h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  const std::string header = header_override.empty() ? h.dump() : header_override;
  std::ofstream f(path, std::ios::binary);
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) f.put(static_cast<char>((n >> (8 * i)) & 0xff));
  f << header;
  for (const RawTensor& t : tensors) f.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
}

}  // namespace convlab::test
