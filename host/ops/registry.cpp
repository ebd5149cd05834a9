#include "host/ops/registry.h"

namespace convlab {

// One per op, in host/ops/<op>/<op>_register.cpp. A new op adds its line here
// and in ensure_builtin_ops_registered.
void register_affine_ops();
void register_relu_ops();
void register_gelu_ops();
void register_conv_ops();
void register_max_pool_ops();
void register_conv_relu_pool_ops();
void register_dropout_ops();
void register_loss_ops();
void register_batchnorm_ops();
void register_spatial_batchnorm_ops();
void register_layernorm_ops();
void register_spatial_groupnorm_ops();
void register_optim_ops();
void register_scale_ops();

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
std::vector<OpListing>& op_listings() {
  static std::vector<OpListing> ops;
  return ops;
}
}  // namespace

void add_op_listing(const OpListing& op) { op_listings().push_back(op); }

namespace {
std::map<Device, MathPrecision>& precision_table() {
  static std::map<Device, MathPrecision> t;
  return t;
}
}  // namespace

void set_math_precision(Device device, MathPrecision precision) {
  std::lock_guard<std::mutex> lock(preferred_mutex());
  precision_table()[device] = precision;
}

MathPrecision math_precision(Device device) {
  std::lock_guard<std::mutex> lock(preferred_mutex());
  auto it = precision_table().find(device);
  return it == precision_table().end() ? MathPrecision::full : it->second;
}

const std::vector<OpListing>& registered_ops() {
  ensure_builtin_ops_registered();
  return op_listings();
}

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
    register_affine_ops();
    register_relu_ops();
    register_gelu_ops();
    register_conv_ops();
    register_max_pool_ops();
    register_conv_relu_pool_ops();
    register_dropout_ops();
    register_loss_ops();
    register_batchnorm_ops();
    register_spatial_batchnorm_ops();
    register_layernorm_ops();
    register_spatial_groupnorm_ops();
    register_optim_ops();
    register_scale_ops();
  });
}

}  // namespace convlab
