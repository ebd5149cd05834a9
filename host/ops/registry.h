// One registry per op: (device, variant) -> implementation.
//
// Each op declares an Impl struct (e.g. ConvImpl in host/ops/conv.h) holding
// function pointers for its forward and backward passes. CPU reference,
// CPU fast and CUDA variants register themselves into OpRegistry<Impl> from
// register_*_ops(), so tests check every variant against the CPU reference
// and benchmarks time every variant, by name.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "host/tensor.h"

namespace convlab {

// Registers every built-in variant once (CPU reference, CPU fast, CUDA).
void ensure_builtin_ops_registered();
// Implemented by host/ops/register_cpu_reference.cpp, host/ops/cpu_fast/ and
// kernels/ (a no-op without CUDA).
void register_cpu_reference_ops();
void register_cpu_fast_ops();
void register_cuda_ops();

// Process-wide preferred variant per device (e.g. {cpu: "reference"}): while
// set, a request for the default variant of any op that has this variant gets
// it instead. Used by the reference tests and by users who want to run the
// ground truth ("" clears it).
void set_preferred_variant(Device device, const std::string& variant);
std::string preferred_variant(Device device);

template <class Impl>
class OpRegistry {
 public:
  // Adds (or replaces) a variant. The first variant added for a device is
  // its default until one is added with make_default = true.
  static void add(Device device, const std::string& variant, Impl impl, bool make_default = false) {
    auto& t = table();
    auto& dev = t[device];
    dev.impls[variant] = impl;
    if (make_default || dev.default_variant.empty()) dev.default_variant = variant;
  }

  // Variant "" (or "default") picks the device's default variant.
  static const Impl& get(Device device, const std::string& variant = "") {
    ensure_builtin_ops_registered();
    auto& t = table();
    auto it = t.find(device);
    CONVLAB_CHECK(it != t.end() && !it->second.impls.empty(),
                  Impl::name << ": no implementation registered for device " << device_name(device));
    const auto& dev = it->second;
    std::string v = variant;
    if (v.empty() || v == "default") {
      const std::string preferred = preferred_variant(device);
      v = !preferred.empty() && dev.impls.count(preferred) ? preferred : dev.default_variant;
    }
    auto f = dev.impls.find(v);
    if (f == dev.impls.end()) {
      std::string known;
      for (const auto& kv : dev.impls) known += (known.empty() ? "" : ", ") + kv.first;
      throw Error(std::string(Impl::name) + ": unknown variant '" + v + "' on " + device_name(device) +
                  " (available: " + known + ")");
    }
    return f->second;
  }

  static std::vector<std::string> variants(Device device) {
    ensure_builtin_ops_registered();
    std::vector<std::string> out;
    auto& t = table();
    auto it = t.find(device);
    if (it != t.end())
      for (const auto& kv : it->second.impls) out.push_back(kv.first);
    return out;
  }

  static std::string default_variant(Device device) {
    ensure_builtin_ops_registered();
    auto& t = table();
    auto it = t.find(device);
    return it == t.end() ? std::string() : it->second.default_variant;
  }

 private:
  struct PerDevice {
    std::map<std::string, Impl> impls;
    std::string default_variant;
  };
  static std::map<Device, PerDevice>& table() {
    static std::map<Device, PerDevice> t;
    return t;
  }
};

// Output and cache of a forward pass: auto [out, cache] = conv_forward(...).
template <class Cache>
struct Forward {
  Tensor out;
  Cache cache;
};

}  // namespace convlab
