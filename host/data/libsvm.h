// LIBSVM / svmlight text format reader: one sample per line,
//   label index:value index:value ...
// with 1-based, strictly increasing feature indices; absent indices are 0.
// Rows become a dense float64 matrix X (n, num_features) and labels y (n).
// Blank lines and '#' comments are skipped. Any malformed line is an error
// naming the file and the 1-based line number.
#pragma once
#include <cstdint>
#include <istream>
#include <string>

#include "host/tensor.h"

namespace convlab {

constexpr int64_t kLibsvmStrayIndexMin = 1000;
constexpr int64_t kLibsvmStrayIndexFactor = 10;
constexpr int64_t kLibsvmMaxDenseValues = int64_t(1) << 26;  // 512 MiB of float64 (MNIST's 47M values fit)

struct LibsvmData {
  Tensor X;  // (n, num_features) float64
  Tensor y;  // (n) float64
};

// num_features <= 0: the largest index that occurs in the file, unless that
// index is stray: above kLibsvmStrayIndexMin and more than
// kLibsvmStrayIndexFactor times the next largest index in the file (an error
// naming the line). A positive num_features fixes the width; an index
// above it is an error. The dense matrix holds at most kLibsvmMaxDenseValues.
LibsvmData read_libsvm(const std::string& path, int64_t num_features = 0);

// Same, from a stream; `source` names it in error messages.
LibsvmData parse_libsvm(std::istream& in, const std::string& source, int64_t num_features = 0);

}  // namespace convlab
