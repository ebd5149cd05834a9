// One registry per op: (device, variant) -> implementation.
//
// Each op declares an Impl struct (e.g. ConvImpl in host/ops/conv/conv.h) holding
// function pointers for its forward and backward passes. Its variants are
// added to OpRegistry<Impl> by the op's one register file
// (host/ops/<op>/<op>_register.cpp), so tests check every variant against the
// CPU reference and benchmarks time every variant, by name.
//
// Variant names, the same words for every op:
//   reference     CPU: plain loops over the cs231n formulas, float and double;
//                 the ground truth of every test.
//   threaded      CPU: OpenMP threads over the batch or the elements,
//                 vectorisable inner loops, BLAS GEMM where the op is one.
//   naive         CUDA: one thread per output element, global memory only.
//   tiled         CUDA: shared-memory tiles reused by a block (conv).
//   gemm          CUDA: the op lowered to cuBLAS matrix products (affine; conv
//                 through im2col).
//   warp          CUDA: one warp (or block) per row or group, shuffle
//                 reductions (the losses and the norms).
//   argmax        CUDA: forward keeps the argmax, backward gathers through it
//                 (max_pool).
//   multi_tensor  CUDA: every parameter of a step in one launch (optim).
//   composed      CUDA: the chain of the device's default ops (conv_relu_pool).
//   implicit_gemm CUDA: the op as a GEMM whose operands are addressed in
//                 place, tiles staged by cp.async (conv); _tf32 and _bf16
//                 run it on tensor cores.
// Each device's default is a named constant in the op's header.
//
// A variant computes in its tensors' own precision (MathPrecision::full),
// unless it is registered as one of float32's reduced-precision modes
// (host/ops/math_precision.h). Those are held to their own tolerances and
// are a device's default only while its math precision is theirs.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "host/ops/math_precision.h"
#include "host/tensor.h"

namespace convlab {

// Registers every built-in variant once: host/ops/registry.cpp calls each
// op's register function (host/ops/<op>/<op>_register.cpp), which adds the
// op's CPU variants and, in a CUDA build, its CUDA variants.
void ensure_builtin_ops_registered();

// Process-wide preferred variant per device (e.g. {cpu: "reference"}): while
// set, a request for the default variant of any op that has this variant gets
// it instead. Used by the reference tests and by users who want to run the
// ground truth ("" clears it).
void set_preferred_variant(Device device, const std::string& variant);
std::string preferred_variant(Device device);

// Every op with a registered variant, in registration order, for listings
// (`convlab info`): its name, header and registry queries.
struct OpListing {
  const char* name;
  const char* header;
  std::vector<std::string> (*variants)(Device);
  std::string (*default_variant)(Device);
  MathPrecision (*precision)(Device, const std::string&);
};
const std::vector<OpListing>& registered_ops();
void add_op_listing(const OpListing& op);  // once per op, by OpRegistry::add

// Process-wide math precision per device (MathPrecision::full unless set):
// while a reduced precision is set, a request for the default variant of an
// op that has a default in that precision (set_default of a tf32 or bf16
// variant) gets it. A run's "precision" sets it for the run (ScopedMathPrecision).
void set_math_precision(Device device, MathPrecision precision);
MathPrecision math_precision(Device device);
struct ScopedMathPrecision {
  ScopedMathPrecision(Device device, MathPrecision precision) : device_(device), previous_(math_precision(device)) {
    set_math_precision(device, precision);
  }
  ~ScopedMathPrecision() { set_math_precision(device_, previous_); }
  ScopedMathPrecision(const ScopedMathPrecision&) = delete;
  ScopedMathPrecision& operator=(const ScopedMathPrecision&) = delete;

 private:
  Device device_;
  MathPrecision previous_;
};

template <class Impl>
class OpRegistry {
 public:
  // Adds (or replaces) a variant.
  static void add(Device device, const std::string& variant, Impl impl, MathPrecision math = MathPrecision::full) {
    if (table().empty()) add_op_listing({Impl::name, Impl::header, &variants, &default_variant, &precision});
    table()[device].impls[variant] = impl;
    table()[device].precisions[variant] = math;
  }

  // Makes an added variant the device's default in its precision: each op's
  // register file names it with the op's default constant (e.g.
  // kConvDefaultCuda, kConvDefaultCudaTf32).
  static void set_default(Device device, const std::string& variant) {
    auto& dev = table()[device];
    CONVLAB_CHECK(dev.impls.count(variant),
                  Impl::name << ": default variant '" << variant << "' is not registered on " << device_name(device));
    const MathPrecision p = dev.precisions[variant];
    if (p == MathPrecision::full)
      dev.default_variant = variant;
    else
      dev.reduced_defaults[p] = variant;
  }

  // The name of the variant a request picks: "" (or "default") is the
  // device's default, or the preferred variant when one is set and the op has it.
  static std::string resolve(Device device, const std::string& variant = "") {
    return resolve_in(per_device(device), device, variant);
  }

  static const Impl& get(Device device, const std::string& variant = "") {
    const auto& dev = per_device(device);
    const std::string v = resolve_in(dev, device, variant);
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

  // The arithmetic of a registered variant (full when it is not registered).
  static MathPrecision precision(Device device, const std::string& variant) {
    ensure_builtin_ops_registered();
    auto& t = table();
    auto it = t.find(device);
    if (it == t.end()) return MathPrecision::full;
    auto p = it->second.precisions.find(variant);
    return p == it->second.precisions.end() ? MathPrecision::full : p->second;
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
    std::map<std::string, MathPrecision> precisions;
    std::string default_variant;
    std::map<MathPrecision, std::string> reduced_defaults;
  };
  static std::string resolve_in(const PerDevice& dev, Device device, const std::string& variant) {
    if (!variant.empty() && variant != "default") return variant;
    const auto reduced = dev.reduced_defaults.find(math_precision(device));
    if (reduced != dev.reduced_defaults.end()) return reduced->second;
    const std::string preferred = preferred_variant(device);
    const std::string v = !preferred.empty() && dev.impls.count(preferred) ? preferred : dev.default_variant;
    CONVLAB_CHECK(!v.empty(), Impl::name << ": no default variant set on " << device_name(device));
    return v;
  }
  static const PerDevice& per_device(Device device) {
    ensure_builtin_ops_registered();
    auto& t = table();
    auto it = t.find(device);
    CONVLAB_CHECK(it != t.end() && !it->second.impls.empty(),
                  Impl::name << ": no implementation registered for device " << device_name(device));
    return it->second;
  }
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
