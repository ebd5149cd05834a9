#include "host/regression/config_fields.h"

#include <cmath>

#include "host/error.h"

namespace convlab {
namespace {
const nlohmann::json& empty_object() {
  static const nlohmann::json e = nlohmann::json::object();
  return e;
}
}  // namespace

ConfigObject::ConfigObject(const nlohmann::json& j, std::string path)
    : j_(j.is_null() ? empty_object() : j), path_(std::move(path)) {
  CONVLAB_CHECK(j_.is_object(), "config: " << path_ << " must be a JSON object, got " << j_.dump());
}

void ConfigObject::allow_only(std::initializer_list<const char*> keys) const {
  for (const auto& kv : j_.items()) {
    bool known = false;
    std::string list;
    for (const char* k : keys) {
      known = known || kv.key() == k;
      list += (list.empty() ? "" : ", ") + std::string(k);
    }
    CONVLAB_CHECK(known, "config: unknown key " << path_ << "." << kv.key() << " (known: " << list << ")");
  }
}

const nlohmann::json& ConfigObject::at(const char* key) const {
  CONVLAB_CHECK(j_.contains(key), "config: missing " << key_path(key));
  return j_.at(key);
}

double ConfigObject::number(const char* key, double fallback) const {
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  CONVLAB_CHECK(v.is_number() && std::isfinite(v.get<double>()),
                "config: " << key_path(key) << " must be a number, got " << v.dump());
  return v.get<double>();
}

int64_t ConfigObject::integer(const char* key, int64_t fallback) const {
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  CONVLAB_CHECK(v.is_number_integer(), "config: " << key_path(key) << " must be an integer, got " << v.dump());
  return v.get<int64_t>();
}

bool ConfigObject::boolean(const char* key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  CONVLAB_CHECK(v.is_boolean(), "config: " << key_path(key) << " must be true or false, got " << v.dump());
  return v.get<bool>();
}

std::string ConfigObject::string(const char* key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  const auto& v = j_.at(key);
  CONVLAB_CHECK(v.is_string(), "config: " << key_path(key) << " must be a string, got " << v.dump());
  return v.get<std::string>();
}

}  // namespace convlab
