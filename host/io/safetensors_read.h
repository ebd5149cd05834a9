// Reading safetensors files: an 8-byte little-endian header length, a JSON
// header {name: {"dtype", "shape", "data_offsets": [begin, end)}, optional
// "__metadata__"}, then the raw little-endian tensor bytes (offsets relative
// to the end of the header).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "host/tensor.h"

namespace convlab {

struct SafetensorsEntry {
  std::string dtype;  // "F32", "F64", "I32", "U8", ... as stored
  Shape shape;
  uint64_t begin = 0, end = 0;  // byte range in the data section
};

// Parses and validates the header (sizes, offsets within the file, dtype
// sizes x shapes = byte ranges); throws convlab::Error naming the file and
// the tensor at fault.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);

  std::vector<std::string> names() const;  // sorted
  bool has(const std::string& name) const { return entries_.count(name) != 0; }
  const SafetensorsEntry& entry(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // CPU tensor of the stored dtype (F32, F64, I32 or U8; rank <= 4).
  Tensor read(const std::string& name) const;

 private:
  std::string path_;
  uint64_t data_start_ = 0;  // 8 + header length
  std::map<std::string, SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

// One tensor of a file: SafetensorsFile(path).read(name).
Tensor read_safetensors_tensor(const std::string& path, const std::string& name);

}  // namespace convlab
