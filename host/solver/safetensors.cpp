#include "host/solver/safetensors.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "host/config/json_reader.h"
#include "host/io/atomic_file.h"
#include "host/io/untrusted_file.h"

namespace convlab {

namespace fs = std::filesystem;

namespace {
const char* st_dtype(DType d) {
  switch (d) {
    case DType::f32:
      return "F32";
    case DType::f64:
      return "F64";
    case DType::i32:
      return "I32";
    case DType::u8:
      return "U8";
  }
  return "?";
}

bool parse_st_dtype(const std::string& s, DType& d) {
  if (s == "F32")
    d = DType::f32;
  else if (s == "F64")
    d = DType::f64;
  else if (s == "I32")
    d = DType::i32;
  else if (s == "U8")
    d = DType::u8;
  else
    return false;
  return true;
}

bool little_endian() {
  const uint16_t one = 1;
  uint8_t b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}
}  // namespace

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

namespace {
// One tensor entry of the header, checked: dtype known, shape a list of
// non-negative integers with a checked element count, data_offsets two
// unsigned integers whose span is exactly the tensor's bytes and lies inside
// the data section.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

Entry parse_entry(const std::string& path, const std::string& name, const nlohmann::json& e, uint64_t data_size) {
  const std::string where = path + ": tensor '" + name + "'";
  CONVLAB_CHECK(e.is_object(), where << ": expected an object {\"dtype\", \"shape\", \"data_offsets\"}, got "
                                     << config::json_brief(e));
  for (auto it = e.begin(); it != e.end(); ++it)
    CONVLAB_CHECK(it.key() == "dtype" || it.key() == "shape" || it.key() == "data_offsets",
                  where << ": unknown key \"" << it.key() << "\"");
  Entry out{name, DType::f32, {}, 0, 0};
  const auto dt = e.find("dtype");
  CONVLAB_CHECK(dt != e.end() && dt->is_string() && parse_st_dtype(dt->get<std::string>(), out.dtype),
                where << ": dtype: expected \"F32\", \"F64\", \"I32\" or \"U8\", got "
                      << (dt == e.end() ? std::string("nothing") : config::json_brief(*dt)));
  const auto sh = e.find("shape");
  CONVLAB_CHECK(sh != e.end() && sh->is_array() && sh->size() <= 4,
                where << ": shape: expected a list of at most 4 dimensions, got "
                      << (sh == e.end() ? std::string("nothing") : config::json_brief(*sh)));
  for (const auto& d : *sh) {
    CONVLAB_CHECK(d.is_number_unsigned() && d.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX),
                  where << ": shape: expected non-negative integers, got " << config::json_brief(*sh));
    out.shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
  }
  uint64_t nbytes = 0;
  try {
    nbytes = shape_nbytes(out.shape, out.dtype);
  } catch (const Error& err) {
    throw Error(where + ": " + err.what());
  }
  const auto off = e.find("data_offsets");
  CONVLAB_CHECK(off != e.end() && off->is_array() && off->size() == 2 && (*off)[0].is_number_unsigned() &&
                    (*off)[1].is_number_unsigned(),
                where << ": data_offsets: expected [begin, end], two non-negative integers, got "
                      << (off == e.end() ? std::string("nothing") : config::json_brief(*off)));
  out.begin = (*off)[0].get<uint64_t>();
  out.end = (*off)[1].get<uint64_t>();
  CONVLAB_CHECK(out.begin <= out.end && out.end <= data_size,
                where << ": data_offsets [" << out.begin << ", " << out.end << ") lie outside the data section of "
                      << data_size << " bytes (truncated or forged file?)");
  CONVLAB_CHECK(out.end - out.begin == nbytes, where << ": data_offsets [" << out.begin << ", " << out.end << ") hold "
                                                     << out.end - out.begin << " bytes, but shape "
                                                     << shape_str(out.shape) << " " << dtype_name(out.dtype)
                                                     << " needs " << nbytes);
  return out;
}
}  // namespace

SafeTensors load_safetensors(const std::string& path) {
  expect_regular_file(path, "checkpoint");
  std::ifstream in(path, std::ios::binary);
  CONVLAB_CHECK(in, path << ": cannot open the checkpoint");
  std::error_code ec;
  const uint64_t file_size = fs::file_size(path, ec);
  CONVLAB_CHECK(!ec, path << ": cannot read the file size: " << ec.message());
  CONVLAB_CHECK(file_size >= 8, path << ": not a safetensors file (shorter than 8 bytes)");
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  CONVLAB_CHECK(in, path << ": cannot read the header length");
  CONVLAB_CHECK(n <= kMaxSafetensorsHeaderBytes, path << ": not a safetensors file or a forged one: header length " << n
                                                      << " bytes exceeds the limit of " << kMaxSafetensorsHeaderBytes);
  CONVLAB_CHECK(n <= file_size - 8, path << ": not a safetensors file or truncated (header length " << n
                                         << " exceeds the file size " << file_size << ")");
  std::string header_text(static_cast<std::size_t>(n), '\0');
  in.read(header_text.data(), static_cast<std::streamsize>(n));
  CONVLAB_CHECK(in, path << ": short read of the header");
  const nlohmann::json header = config::parse_json(header_text, path + " (safetensors header)");
  CONVLAB_CHECK(header.is_object(), path << ": not a safetensors file (header is not a JSON object)");
  const uint64_t data_size = file_size - 8 - n;

  SafeTensors out;
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      CONVLAB_CHECK(it->is_object(),
                    path << ": __metadata__: expected an object of strings, got " << config::json_brief(*it));
      for (auto m = it->begin(); m != it->end(); ++m) {
        CONVLAB_CHECK(m->is_string(),
                      path << ": __metadata__." << m.key() << ": expected a string, got " << config::json_brief(*m));
        out.metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(path, it.key(), *it, data_size));
  }
  // The tensors tile the data section: no overlap, no gap, nothing after.
  std::vector<const Entry*> order;
  for (const auto& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = 0;
  for (const Entry* e : order) {
    CONVLAB_CHECK(e->begin >= at, path << ": tensor '" << e->name << "': data_offsets [" << e->begin << ", " << e->end
                                       << ") overlap another tensor's bytes");
    CONVLAB_CHECK(e->begin == at, path << ": bytes [" << at << ", " << e->begin
                                       << ") of the data section belong to no tensor (forged file?)");
    at = e->end;
  }
  CONVLAB_CHECK(at == data_size, path << ": bytes [" << at << ", " << data_size
                                      << ") of the data section belong to no tensor (forged file?)");
  for (const Entry& e : entries) {
    Tensor t(e.shape, e.dtype);
    in.seekg(static_cast<std::streamoff>(8 + n + e.begin));
    in.read(static_cast<char*>(t.raw()), static_cast<std::streamsize>(e.end - e.begin));
    CONVLAB_CHECK(in, path << ": tensor '" << e.name << "': short read (file changed while reading?)");
    out.tensors[e.name] = t;
  }
  return out;
}

}  // namespace convlab
