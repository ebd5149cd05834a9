// Checkpoints in the safetensors format, readable by numpy/PyTorch users
// (safetensors.numpy.load_file / safetensors.torch.load_file):
//   8 bytes: little-endian uint64 N, the header length
//   N bytes: JSON header {"W1": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//            "__metadata__": {string: string}}, padded with spaces to a multiple of 8
//   the tensors' raw little-endian bytes, in header order
// Writes are atomic and durable (host/io/atomic_file.h): a reader never sees a
// half-written checkpoint.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "host/tensor.h"

namespace convlab {

struct SafeTensors {
  std::map<std::string, Tensor> tensors;  // CPU tensors
  std::map<std::string, std::string> metadata;
};

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// Longest header accepted (the safetensors format's own limit is 100 MB;
// convlab's headers are a few KB plus the config).
constexpr uint64_t kMaxSafetensorsHeaderBytes = uint64_t(16) << 20;

// Reads an untrusted file. Throws naming the file and the tensor when it is
// missing or not a regular file, truncated, or not well-formed safetensors:
// the header length is checked against kMaxSafetensorsHeaderBytes and the
// file size before it is read; the header JSON is parsed with a nesting cap;
// every tensor's dtype and shape are checked (element count without
// overflow), its data_offsets must be two integers spanning exactly its bytes
// inside the data section, and the tensors must tile the data section with no
// overlap and no gap.
SafeTensors load_safetensors(const std::string& path);

}  // namespace convlab
