#include "host/config/json_reader.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "host/error.h"
#include "host/io/untrusted_file.h"

namespace convlab::config {

namespace {
std::string describe_number_range(double min, double max, bool min_exclusive) {
  std::ostringstream os;
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  os << "a number";
  if (has_min && has_max) {
    os << " in " << (min_exclusive ? "(" : "[") << min << ", " << max << "]";
  } else if (has_min) {
    os << (min_exclusive ? " > " : " >= ") << min;
  } else if (has_max) {
    os << " <= " << max;
  }
  return os.str();
}

std::string describe_integer_range(int64_t min, int64_t max) {
  std::ostringstream os;
  const bool has_min = min != std::numeric_limits<int64_t>::min();
  const bool has_max = max != std::numeric_limits<int64_t>::max();
  os << "an integer";
  if (has_min && has_max) {
    os << " in [" << min << ", " << max << "]";
  } else if (has_min) {
    os << " >= " << min;
  } else if (has_max) {
    os << " <= " << max;
  }
  return os.str();
}

// A whole number that fits int64 (an unsigned value above INT64_MAX does not).
bool is_integral(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= uint64_t(INT64_MAX);
  if (v.is_number_integer()) return true;
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
  }
  return false;
}

// The value of an is_integral() json.
int64_t to_int64(const json& v) {
  return v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(v.get<double>());
}
}  // namespace

namespace {
// SAX handler that builds the document itself (the JSON library's parser is
// iterative, so with the depth checked here no step recurses deeply) and
// keeps the JSON path of the value being read, for error messages.
class CheckedDomBuilder : public nlohmann::json_sax<json> {
 public:
  explicit CheckedDomBuilder(const std::string& source) : source_(source) {}
  json root;

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t&) override { return put(json(nullptr)); }  // not produced by text JSON
  bool start_object(std::size_t) override { return open(json::object(), false); }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(json::array(), true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    const auto bracket = what.find("] ");
    if (what.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos) what = what.substr(bracket + 2);
    if (ex.id == 406) what = "number out of range (not a finite double): " + last_token;
    fail(position, what);
  }

 private:
  struct Frame {
    json* node;
    bool is_array;
    std::string key;
    std::size_t index = 0;
  };

  std::string path() const {
    std::string p;
    for (const auto& f : frames_) {
      if (f.is_array)
        p += "[" + std::to_string(f.index) + "]";
      else if (!f.key.empty() || !p.empty())
        p += (p.empty() ? "" : ".") + f.key;
    }
    return p;
  }

  [[noreturn]] void fail(std::size_t position, const std::string& what) const {
    std::ostringstream os;
    os << source_ << ": invalid JSON";
    const std::string p = path();
    if (!p.empty()) os << " at " << p;
    os << " (byte " << position << "): " << what;
    throw Error(os.str());
  }

  // Places v where the parser is: the root, the current key or the next index.
  json* place(json v) {
    if (frames_.empty()) {
      root = std::move(v);
      return &root;
    }
    Frame& f = frames_.back();
    if (f.is_array) {
      f.node->push_back(std::move(v));
      return &f.node->back();
    }
    json& slot = (*f.node)[f.key];
    slot = std::move(v);
    return &slot;
  }
  void advance() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
  }
  bool put(json v) {
    place(std::move(v));
    advance();
    return true;
  }
  bool open(json empty, bool is_array) {
    if (static_cast<int>(frames_.size()) >= kMaxJsonDepth) {
      std::ostringstream os;
      os << source_ << ": JSON nested deeper than " << kMaxJsonDepth << " levels (at " << path()
         << "); convlab refuses such files";
      throw Error(os.str());
    }
    json* node = place(std::move(empty));
    frames_.push_back({node, is_array, std::string()});
    return true;
  }
  bool close() {
    frames_.pop_back();
    advance();
    return true;
  }

  const std::string& source_;
  std::vector<Frame> frames_;
};
}  // namespace

json parse_json(const std::string& text, const std::string& source) {
  CheckedDomBuilder builder(source);
  json::sax_parse(text, &builder);
  return std::move(builder.root);
}

json read_json_file(const std::string& path, const std::string& what, std::uint64_t max_bytes) {
  return parse_json(read_file_capped(path, what, max_bytes), path);
}

std::string json_brief(const json& v) {
  // Invalid UTF-8 in a string (a --set bare word) is shown as U+FFFD, not thrown.
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

const json& JsonReader::null_json() {
  static const json n;
  return n;
}

JsonReader::JsonReader(const json& j, std::string path) : j_(&j), path_(std::move(path)) {
  CONVLAB_CHECK(j.is_object(), (path_.empty() ? std::string("config") : path_)
                                   << ": expected a JSON object, got " << json_brief(j));
}

std::string JsonReader::path_of(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

bool JsonReader::has(const std::string& key) const {
  auto it = j_->find(key);
  return it != j_->end() && !it->is_null();
}

void JsonReader::fail(const std::string& key, const std::string& what) const {
  throw Error(path_of(key) + ": " + what);
}

const json& JsonReader::value(const std::string& key) {
  known_.insert(key);
  auto it = j_->find(key);
  return it == j_->end() ? null_json() : *it;
}

double JsonReader::number(const std::string& key, std::optional<double> def, double min, double max,
                          bool min_exclusive) {
  const json& v = value(key);
  const std::string expect = describe_number_range(min, max, min_exclusive);
  if (v.is_null()) {
    if (!def) fail(key, "missing (expected " + expect + ")");
    return *def;
  }
  if (!v.is_number()) fail(key, "expected " + expect + ", got " + json_brief(v));
  const double d = v.get<double>();
  const bool below = min_exclusive ? !(d > min) : !(d >= min);
  if (!std::isfinite(d) || below || d > max) fail(key, "expected " + expect + ", got " + json_brief(v));
  return d;
}

int64_t JsonReader::integer(const std::string& key, std::optional<int64_t> def, int64_t min, int64_t max) {
  const json& v = value(key);
  const std::string expect = describe_integer_range(min, max);
  if (v.is_null()) {
    if (!def) fail(key, "missing (expected " + expect + ")");
    return *def;
  }
  if (!is_integral(v)) fail(key, "expected " + expect + ", got " + json_brief(v));
  const int64_t i = to_int64(v);
  if (i < min || i > max) fail(key, "expected " + expect + ", got " + json_brief(v));
  return i;
}

bool JsonReader::boolean(const std::string& key, std::optional<bool> def) {
  const json& v = value(key);
  if (v.is_null()) {
    if (!def) fail(key, "missing (expected true or false)");
    return *def;
  }
  if (!v.is_boolean()) fail(key, "expected true or false, got " + json_brief(v));
  return v.get<bool>();
}

std::string JsonReader::string(const std::string& key, std::optional<std::string> def,
                               const std::vector<std::string>& choices) {
  const json& v = value(key);
  std::string expect = "a string";
  if (!choices.empty()) {
    expect = "one of ";
    for (std::size_t i = 0; i < choices.size(); ++i) expect += (i ? ", " : "") + std::string("\"") + choices[i] + "\"";
  }
  if (v.is_null()) {
    if (!def) fail(key, "missing (expected " + expect + ")");
    return *def;
  }
  if (!v.is_string()) fail(key, "expected " + expect + ", got " + json_brief(v));
  const std::string s = v.get<std::string>();
  if (!choices.empty() && std::find(choices.begin(), choices.end(), s) == choices.end()) {
    const std::string near = closest_match(s, choices);
    fail(key,
         "expected " + expect + ", got " + json_brief(v) + (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
  }
  return s;
}

std::vector<int64_t> JsonReader::integer_list(const std::string& key, std::optional<std::vector<int64_t>> def,
                                              int64_t min, int64_t max) {
  const json& v = value(key);
  const std::string expect = "a list of " + describe_integer_range(min, max) + "s";
  if (v.is_null()) {
    if (!def) fail(key, "missing (expected " + expect + ")");
    return *def;
  }
  if (!v.is_array()) fail(key, "expected " + expect + ", got " + json_brief(v));
  std::vector<int64_t> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const json& e = v[i];
    const bool ok = is_integral(e);
    const int64_t x = ok ? to_int64(e) : 0;
    if (!ok || x < min || x > max)
      throw Error(path_of(key) + "[" + std::to_string(i) + "]: expected " + describe_integer_range(min, max) +
                  ", got " + json_brief(e));
    out.push_back(x);
  }
  return out;
}

JsonReader JsonReader::object(const std::string& key, bool required) {
  const json& v = value(key);
  if (v.is_null()) {
    if (required) fail(key, "missing (expected a JSON object)");
    static const json empty = json::object();
    return JsonReader(empty, path_of(key));
  }
  if (!v.is_object()) fail(key, "expected a JSON object, got " + json_brief(v));
  return JsonReader(v, path_of(key));
}

void JsonReader::finish() const {
  std::vector<std::string> known(known_.begin(), known_.end());
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    if (known_.count(it.key())) continue;
    const std::string near = closest_match(it.key(), known);
    std::string msg = "unknown key";
    if (!near.empty()) {
      msg += " (did you mean " + near + "?)";
    } else if (!known.empty()) {
      msg += " (known keys: ";
      for (std::size_t i = 0; i < known.size(); ++i) msg += (i ? ", " : "") + known[i];
      msg += ")";
    }
    fail(it.key(), msg);
  }
}

}  // namespace convlab::config
