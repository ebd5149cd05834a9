#include "host/data/libsvm.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "host/io/untrusted_file.h"

namespace convlab {
namespace {

// Parses a whole token as a finite double; false when it is not one.
bool parse_double(const std::string& tok, double& out) {
  if (tok.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(tok.c_str(), &end);
  return end == tok.c_str() + tok.size() && errno != ERANGE && std::isfinite(out);
}

// Parses a whole token as a positive integer index.
bool parse_index(const std::string& tok, int64_t& out) {
  if (tok.empty() || tok[0] < '0' || tok[0] > '9') return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(tok.c_str(), &end, 10);
  if (end != tok.c_str() + tok.size() || errno == ERANGE || v < 1) return false;
  out = static_cast<int64_t>(v);
  return true;
}

struct Row {
  double label;
  std::vector<std::pair<int64_t, double>> features;
};

}  // namespace

LibsvmData parse_libsvm(std::istream& in, const std::string& source, int64_t num_features) {
  std::vector<Row> rows;
  int64_t max_index = 0, max_line = 0, runner_up = 0;  // the largest index, its line, the next largest index
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::size_t hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    std::istringstream tokens(line);
    std::string tok;
    if (!(tokens >> tok)) continue;  // blank or comment-only line
    Row row;
    CONVLAB_CHECK(parse_double(tok, row.label),
                  "libsvm: " << source << ":" << line_no << ": expected a numeric label first, got '" << tok << "'");
    int64_t prev = 0;
    while (tokens >> tok) {
      const std::size_t colon = tok.find(':');
      CONVLAB_CHECK(colon != std::string::npos,
                    "libsvm: " << source << ":" << line_no << ": expected index:value, got '" << tok << "'");
      int64_t index = 0;
      double value = 0.0;
      CONVLAB_CHECK(
          parse_index(tok.substr(0, colon), index),
          "libsvm: " << source << ":" << line_no << ": feature index must be an integer >= 1, got '" << tok << "'");
      CONVLAB_CHECK(
          parse_double(tok.substr(colon + 1), value),
          "libsvm: " << source << ":" << line_no << ": feature value must be a finite number, got '" << tok << "'");
      CONVLAB_CHECK(index > prev, "libsvm: " << source << ":" << line_no
                                             << ": feature indices must be strictly increasing, got " << index
                                             << " after " << prev);
      CONVLAB_CHECK(num_features <= 0 || index <= num_features,
                    "libsvm: " << source << ":" << line_no << ": feature index " << index
                               << " exceeds the expected number of features " << num_features);
      prev = index;
      row.features.emplace_back(index, value);
      if (index > max_index) {
        runner_up = max_index;
        max_index = index;
        max_line = line_no;
      } else if (index > runner_up) {
        runner_up = index;
      }
    }
    rows.push_back(std::move(row));
  }
  CONVLAB_CHECK(!in.bad(), "libsvm: " << source << ": read error after line " << line_no);
  CONVLAB_CHECK(!rows.empty(), "libsvm: " << source << ": no samples (empty file)");
  const int64_t d = num_features > 0 ? num_features : max_index;
  CONVLAB_CHECK(d > 0, "libsvm: " << source << ": no feature occurs in any row");
  // The width comes from the data: one stray index far beyond every other
  // (a typo, a corrupt line) would make a huge dense matrix and a solve that
  // runs for hours, so it is refused unless the width is configured.
  CONVLAB_CHECK(
      num_features > 0 || max_index <= kLibsvmStrayIndexMin || max_index / kLibsvmStrayIndexFactor <= runner_up,
      "libsvm: " << source << ":" << max_line << ": feature index " << max_index
                 << " is far beyond every other index in the file (the next largest is " << runner_up
                 << "); a typo or a corrupt line? Set the number of features explicitly "
                 << "(data.num_features) if it is meant");
  const int64_t n = static_cast<int64_t>(rows.size());
  CONVLAB_CHECK(d <= kLibsvmMaxDenseValues / n, "libsvm: " << source << ": " << n << " samples x " << d
                                                           << " features exceed the " << kLibsvmMaxDenseValues
                                                           << " values convlab holds densely");

  LibsvmData out{Tensor({n, d}, DType::f64), Tensor({n}, DType::f64)};
  double* X = out.X.data<double>();
  double* y = out.y.data<double>();
  for (int64_t i = 0; i < n; ++i) {
    y[i] = rows[i].label;
    for (const auto& [index, value] : rows[i].features) X[i * d + index - 1] = value;
  }
  return out;
}

LibsvmData read_libsvm(const std::string& path, int64_t num_features) {
  const std::string found = describe_unstreamable(path);
  CONVLAB_CHECK(found.empty(), "libsvm: cannot open '" << path << "': " << found_instead_of_file(found));
  std::ifstream f(path);
  CONVLAB_CHECK(f.is_open(), "libsvm: cannot open '" << path << "'");
  return parse_libsvm(f, path, num_features);
}

}  // namespace convlab
