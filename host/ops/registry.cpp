#include "host/ops/registry.h"

namespace convlab {

namespace {
// Function-local statics: usable from other translation units' static initialisers.
std::mutex& preferred_mutex() {
  static std::mutex m;
  return m;
}
std::map<Device, std::string>& preferred_table() {
  static std::map<Device, std::string> t;
  return t;
}
}  // namespace

void set_preferred_variant(Device device, const std::string& variant) {
  std::lock_guard<std::mutex> lock(preferred_mutex());
  preferred_table()[device] = variant;
}

std::string preferred_variant(Device device) {
  std::lock_guard<std::mutex> lock(preferred_mutex());
  auto it = preferred_table().find(device);
  return it == preferred_table().end() ? std::string() : it->second;
}

void ensure_builtin_ops_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_cpu_reference_ops();
    register_cpu_fast_ops();
    register_cuda_ops();
  });
}

}  // namespace convlab
