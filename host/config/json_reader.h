// JsonReader: typed, validated access to one JSON object of a config file.
//
// Every getter records the key as known and checks its type and range; an
// error names the full JSON path and what was expected, e.g.
//   solver.batch_size: expected an integer >= 1, got 0
// finish() then rejects every key nobody asked for, suggesting the closest
// known key:  solver.optim_config.learnig_rate: unknown key (did you mean learning_rate?)
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace convlab::config {

using nlohmann::json;

class JsonReader {
 public:
  // `j` must outlive the reader. Throws unless j is an object.
  JsonReader(const json& j, std::string path);

  const std::string& path() const { return path_; }
  std::string path_of(const std::string& key) const;                         // "solver.batch_size"
  bool has(const std::string& key) const;                                    // present and not null
  bool contains(const std::string& key) const { return j_->contains(key); }  // present, maybe null

  // Getters: `def` is used when the key is absent (or null); without a
  // default the key is required.
  double number(const std::string& key, std::optional<double> def,
                double min = -std::numeric_limits<double>::infinity(),
                double max = std::numeric_limits<double>::infinity(), bool min_exclusive = false);
  int64_t integer(const std::string& key, std::optional<int64_t> def, int64_t min = std::numeric_limits<int64_t>::min(),
                  int64_t max = std::numeric_limits<int64_t>::max());
  bool boolean(const std::string& key, std::optional<bool> def);
  // `choices` (when not empty) lists the allowed values.
  std::string string(const std::string& key, std::optional<std::string> def,
                     const std::vector<std::string>& choices = {});
  std::vector<int64_t> integer_list(const std::string& key, std::optional<std::vector<int64_t>> def,
                                    int64_t min = std::numeric_limits<int64_t>::min(),
                                    int64_t max = std::numeric_limits<int64_t>::max());
  // The sub-object at key (an empty object when absent and optional).
  JsonReader object(const std::string& key, bool required = false);
  // The raw value (marks the key known); null when absent.
  const json& value(const std::string& key);
  // Marks keys as known without reading them.
  void allow(const std::string& key) { known_.insert(key); }
  bool is_known(const std::string& key) const { return known_.count(key) > 0; }

  // Throws for the first key of the object that no getter asked for.
  void finish() const;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  const json* j_;
  std::string path_;
  std::set<std::string> known_;
  static const json& null_json();
};

// Levenshtein distance; used for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The closest candidate within a small distance, or "".
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
// A JSON value as it would be written in the file (strings quoted), shortened.
std::string json_brief(const json& v);

// Deepest nesting of objects and arrays that parse_json accepts; a config,
// a checkpoint header or a run's state is a few levels deep.
constexpr int kMaxJsonDepth = 64;

// Parses untrusted JSON text, the one way convlab reads JSON. Every error is a
// convlab::Error that names `source` (a file, "--set KEY"), the JSON path of
// the value where the error is (e.g. solver.optim_config.learning_rate) and
// the line and column: syntax errors, numbers out of the double range
// (1e999) and nesting deeper than kMaxJsonDepth (checked while parsing, so
// the JSON library never recurses that deep).
json parse_json(const std::string& text, const std::string& source);

// parse_json of a file of at most max_bytes (host/io/untrusted_file.h reads
// it; `what` names the kind of file in errors).
json read_json_file(const std::string& path, const std::string& what, std::uint64_t max_bytes);

}  // namespace convlab::config
