// Checkpoints in the safetensors format, readable by numpy/PyTorch users
// (safetensors.numpy.load_file / safetensors.torch.load_file):
//   8 bytes: little-endian uint64 N, the header length
//   N bytes: JSON header {"W1": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//            "__metadata__": {string: string}}, padded with spaces to a multiple of 8
//   the tensors' raw little-endian bytes, in header order
// Writes go to a temporary file in the same folder which is then renamed, so a
// reader never sees a half-written checkpoint.
#pragma once
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
// Throws naming the file when it is missing, truncated or not safetensors.
SafeTensors load_safetensors(const std::string& path);

// Writes `content` to path atomically (temp file + rename).
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace convlab
