// safetensors reader: header parsing with nlohmann_json, validation, and
// reading one tensor's bytes into a CPU Tensor.
#include "host/io/safetensors_read.h"

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "host/error.h"

namespace convlab {

namespace {

constexpr uint64_t kMaxHeaderBytes = 100u << 20;  // as the reference implementation

bool dtype_from_name(const std::string& s, DType* dt) {
  if (s == "F32") *dt = DType::f32;
  else if (s == "F64") *dt = DType::f64;
  else if (s == "I32") *dt = DType::i32;
  else if (s == "U8") *dt = DType::u8;
  else return false;
  return true;
}

// Byte size of one element of any dtype the format defines; 0 when unknown.
uint64_t any_dtype_size(const std::string& s) {
  static const std::map<std::string, uint64_t> sizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"U16", 2}, {"I16", 2},
      {"F16", 2},  {"BF16", 2}, {"U32", 4}, {"I32", 4},     {"F32", 4},     {"U64", 8}, {"I64", 8}, {"F64", 8}};
  auto it = sizes.find(s);
  return it == sizes.end() ? 0 : it->second;
}

bool little_endian_host() {
  const uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  CONVLAB_CHECK(little_endian_host(), "safetensors: only little-endian hosts are supported");
  std::ifstream f(path, std::ios::binary);
  CONVLAB_CHECK(f.good(), "safetensors: cannot open '" << path << "'");
  f.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(f.tellg());
  f.seekg(0);
  CONVLAB_CHECK(file_size >= 8, "safetensors: '" << path << "' is " << file_size << " bytes, too short for a header");
  unsigned char len_bytes[8];
  f.read(reinterpret_cast<char*>(len_bytes), 8);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  CONVLAB_CHECK(header_len <= kMaxHeaderBytes && header_len <= file_size - 8,
                "safetensors: '" << path << "' declares a header of " << header_len << " bytes but the file has "
                                 << file_size << " bytes");
  std::string header(header_len, '\0');
  f.read(header.data(), static_cast<std::streamsize>(header_len));
  CONVLAB_CHECK(f.good(), "safetensors: cannot read the header of '" << path << "'");
  data_start_ = 8 + header_len;
  const uint64_t data_size = file_size - data_start_;

  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const nlohmann::json::exception& e) {
    throw Error("safetensors: the header of '" + path + "' is not valid JSON: " + e.what());
  }
  CONVLAB_CHECK(j.is_object(), "safetensors: the header of '" << path << "' is not a JSON object");
  for (const auto& [name, v] : j.items()) {
    if (name == "__metadata__") {
      CONVLAB_CHECK(v.is_object(), "safetensors: '" << path << "': __metadata__ must be an object of strings");
      for (const auto& [k, s] : v.items()) {
        CONVLAB_CHECK(s.is_string(), "safetensors: '" << path << "': __metadata__." << k << " must be a string");
        metadata_[k] = s.get<std::string>();
      }
      continue;
    }
    const std::string where = "safetensors: '" + path + "', tensor '" + name + "'";
    CONVLAB_CHECK(v.is_object() && v.contains("dtype") && v["dtype"].is_string() && v.contains("shape") &&
                      v["shape"].is_array() && v.contains("data_offsets") && v["data_offsets"].is_array() &&
                      v["data_offsets"].size() == 2,
                  where << ": expected {\"dtype\": str, \"shape\": [int...], \"data_offsets\": [begin, end]}, got "
                        << v.dump());
    SafetensorsEntry e;
    e.dtype = v["dtype"].get<std::string>();
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      CONVLAB_CHECK(d.is_number_unsigned(), where << ": shape entries must be non-negative integers, got "
                                                  << v["shape"].dump());
      const uint64_t n = d.get<uint64_t>();
      CONVLAB_CHECK(n == 0 || numel <= data_size / n, where << ": shape " << v["shape"].dump() << " is larger than the "
                                                            << data_size << "-byte data section");
      e.shape.push_back(static_cast<int64_t>(n));
      numel *= n;
    }
    for (const auto& o : v["data_offsets"])
      CONVLAB_CHECK(o.is_number_unsigned(), where << ": data_offsets must be non-negative integers, got "
                                                  << v["data_offsets"].dump());
    e.begin = v["data_offsets"][0].get<uint64_t>();
    e.end = v["data_offsets"][1].get<uint64_t>();
    CONVLAB_CHECK(e.begin <= e.end && e.end <= data_size,
                  where << ": data_offsets [" << e.begin << ", " << e.end << ") outside the " << data_size
                        << "-byte data section");
    const uint64_t elem = any_dtype_size(e.dtype);
    CONVLAB_CHECK(elem != 0, where << ": unknown dtype '" << e.dtype << "'");
    CONVLAB_CHECK(numel * elem == e.end - e.begin, where << ": shape " << shape_str(e.shape) << " of " << e.dtype
                                                         << " needs " << numel * elem << " bytes, data_offsets give "
                                                         << e.end - e.begin);
    entries_[name] = std::move(e);
  }
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  for (const auto& kv : entries_) out.push_back(kv.first);
  return out;
}

const SafetensorsEntry& SafetensorsFile::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string known;
    for (const auto& kv : entries_) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error("safetensors: '" + path_ + "' has no tensor '" + name + "' (it has: " + known + ")");
  }
  return it->second;
}

Tensor SafetensorsFile::read(const std::string& name) const {
  const SafetensorsEntry& e = entry(name);
  DType dt;
  CONVLAB_CHECK(dtype_from_name(e.dtype, &dt), "safetensors: '" << path_ << "', tensor '" << name << "': dtype "
                                                                << e.dtype << " is not supported (F32, F64, I32, U8)");
  CONVLAB_CHECK(e.shape.size() <= 4, "safetensors: '" << path_ << "', tensor '" << name << "': rank "
                                                      << e.shape.size() << " > 4 is not supported, shape "
                                                      << shape_str(e.shape));
  Tensor t(e.shape, dt);
  std::ifstream f(path_, std::ios::binary);
  f.seekg(static_cast<std::streamoff>(data_start_ + e.begin));
  f.read(static_cast<char*>(t.raw()), static_cast<std::streamsize>(e.end - e.begin));
  CONVLAB_CHECK(f.good(), "safetensors: cannot read tensor '" << name << "' from '" << path_ << "'");
  return t;
}

Tensor read_safetensors_tensor(const std::string& path, const std::string& name) {
  return SafetensorsFile(path).read(name);
}

}  // namespace convlab
