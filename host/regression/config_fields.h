// Typed, validated access to one JSON object of a regression config: every
// error names the full key (e.g. "solver.batch_size") and what it expected.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

namespace convlab {

class ConfigObject {
 public:
  // j must be an object (or null, read as empty); path names it ("model").
  ConfigObject(const nlohmann::json& j, std::string path);

  bool has(const char* key) const { return j_.contains(key); }
  // Errors on any key not listed.
  void allow_only(std::initializer_list<const char*> keys) const;

  double number(const char* key, double fallback) const;
  int64_t integer(const char* key, int64_t fallback) const;
  bool boolean(const char* key, bool fallback) const;
  std::string string(const char* key, const std::string& fallback) const;
  const nlohmann::json& at(const char* key) const;  // the raw value; must exist
  std::string key_path(const char* key) const { return path_ + "." + key; }

 private:
  nlohmann::json j_;  // a copy: configs are small, and callers may pass temporaries
  std::string path_;
};

}  // namespace convlab
