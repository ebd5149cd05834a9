#include "host/solver/safetensors.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace convlab {

namespace fs = std::filesystem;

namespace {
const char* st_dtype(DType d) {
  switch (d) {
    case DType::f32: return "F32";
    case DType::f64: return "F64";
    case DType::i32: return "I32";
    case DType::u8: return "U8";
  }
  return "?";
}

bool parse_st_dtype(const std::string& s, DType& d) {
  if (s == "F32") d = DType::f32;
  else if (s == "F64") d = DType::f64;
  else if (s == "I32") d = DType::i32;
  else if (s == "U8") d = DType::u8;
  else return false;
  return true;
}

bool little_endian() {
  const uint16_t one = 1;
  uint8_t b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}
}  // namespace

void write_file_atomic(const std::string& path, const std::string& content) {
  const fs::path p(path);
  const fs::path tmp = p.parent_path() / ("." + p.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    CONVLAB_CHECK(out, tmp.string() << ": cannot create file");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    CONVLAB_CHECK(out, tmp.string() << ": write failed (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  CONVLAB_CHECK(!ec, path << ": cannot rename " << tmp.string() << " into place: " << ec.message());
}

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  CONVLAB_CHECK(little_endian(), "save_safetensors: only little-endian hosts are supported");
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& kv : tensors) {
    const Tensor t = kv.second.to(Device::cpu);
    CONVLAB_CHECK(t.defined(), "save_safetensors: tensor '" << kv.first << "' is empty");
    const std::size_t begin = data.size();
    data.append(static_cast<const char*>(t.raw()), t.nbytes());
    header[kv.first] = {{"dtype", st_dtype(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {begin, data.size()}}};
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string h = header.dump();
  while (h.size() % 8 != 0) h.push_back(' ');
  std::string file(8, '\0');
  const uint64_t n = h.size();
  std::memcpy(&file[0], &n, 8);
  file += h;
  file += data;
  write_file_atomic(path, file);
}

SafeTensors load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CONVLAB_CHECK(in, path << ": checkpoint not found");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string file = ss.str();
  CONVLAB_CHECK(file.size() >= 8, path << ": not a safetensors file (shorter than 8 bytes)");
  uint64_t n = 0;
  std::memcpy(&n, file.data(), 8);
  CONVLAB_CHECK(n <= file.size() - 8, path << ": not a safetensors file or truncated (header length " << n
                                           << " exceeds the file size " << file.size() << ")");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(file.substr(8, n));
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path + ": not a safetensors file (bad JSON header: " + e.what() + ")");
  }
  CONVLAB_CHECK(header.is_object(), path << ": not a safetensors file (header is not a JSON object)");
  const std::size_t base = 8 + n;
  SafeTensors out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      for (auto m = it->begin(); m != it->end(); ++m)
        if (m->is_string()) out.metadata[m.key()] = m->get<std::string>();
      continue;
    }
    const auto& e = *it;
    DType dt;
    CONVLAB_CHECK(e.is_object() && e.contains("dtype") && e["dtype"].is_string() &&
                      parse_st_dtype(e["dtype"].get<std::string>(), dt) && e.contains("shape") &&
                      e["shape"].is_array() && e.contains("data_offsets") && e["data_offsets"].size() == 2,
                  path << ": tensor '" << it.key() << "': unsupported or malformed entry " << e.dump());
    const Shape shape = e["shape"].get<Shape>();
    const uint64_t b = e["data_offsets"][0].get<uint64_t>(), en = e["data_offsets"][1].get<uint64_t>();
    Tensor t(shape, dt);
    CONVLAB_CHECK(en >= b && en - b == t.nbytes() && base + en <= file.size(),
                  path << ": tensor '" << it.key() << "': data offsets [" << b << ", " << en
                       << ") do not match its shape or lie past the end of the file (truncated?)");
    std::memcpy(t.raw(), file.data() + base + b, t.nbytes());
    out.tensors[it.key()] = t;
  }
  return out;
}

}  // namespace convlab
