// Tensor: an n-dimensional array (rank 0..4) of float32, float64, int32 or
// uint8 on the CPU or a CUDA device.
//
// Storage is reference counted (copies of a Tensor share it, as numpy views
// or torch tensors do); clone() makes a deep copy and to(device) an explicit
// copy between devices. Data is always contiguous, row-major (NCHW for images).
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "host/error.h"

namespace convlab {

enum class DType { f32, f64, i32, u8 };
enum class Device { cpu, cuda };

using Shape = std::vector<int64_t>;

std::size_t dtype_size(DType dt);
const char* dtype_name(DType dt);
const char* device_name(Device d);
std::string shape_str(const Shape& s);
// The one checked size computation that every shape and allocation goes
// through: the element count (every dimension >= 0, the product within
// int64) and the byte count (within kMaxTensorBytes). Both throw
// convlab::Error naming the shape, so a forged size in a config, a data file
// or a checkpoint is refused before anything is allocated or indexed.
int64_t shape_numel(const Shape& s);
std::size_t shape_nbytes(const Shape& s, DType dt);
// Largest tensor convlab allocates (1 TiB): far above any real model, far
// below where byte counts and allocator size classes could wrap.
constexpr std::size_t kMaxTensorBytes = std::size_t(1) << 40;

template <class T>
struct dtype_of;
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::f32;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = DType::f64;
};
template <>
struct dtype_of<int32_t> {
  static constexpr DType value = DType::i32;
};
template <>
struct dtype_of<uint8_t> {
  static constexpr DType value = DType::u8;
};

// Owns one block of memory on one device (from the caching allocator,
// host/memory/block_cache.h); returned when the last Tensor lets go.
// `zeroed`: filled with zero bytes, else uninitialised (poisoned while
// set_poison_allocations is on).
class Storage {
 public:
  Storage(std::size_t nbytes, Device device, bool zeroed);
  // Memory that convlab does not own (a NumPy array, a DLPack tensor):
  // `owner` keeps it alive and is released with the last Tensor using it.
  Storage(void* data, std::size_t nbytes, Device device, std::shared_ptr<void> owner);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return ptr_; }
  std::size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* ptr_ = nullptr;
  std::size_t nbytes_ = 0;
  Device device_ = Device::cpu;
  std::shared_ptr<void> owner_;  // set for borrowed memory, which is not returned to the cache
};

class Tensor {
 public:
  Tensor() = default;
  // Allocates; CPU memory is zero-filled, device memory is left uninitialised.
  explicit Tensor(Shape shape, DType dtype = DType::f32, Device device = Device::cpu);

  // Uninitialised on any device: for outputs that a kernel writes in full.
  static Tensor empty(Shape shape, DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor zeros(Shape shape, DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor full(Shape shape, double value, DType dtype = DType::f32);
  // CPU tensor holding `values` (converted to dtype); size must match shape.
  static Tensor from_vector(const std::vector<double>& values, Shape shape, DType dtype = DType::f64);
  static Tensor scalar(double value, DType dtype = DType::f64) { return full({}, value, dtype); }
  // A tensor over contiguous row-major memory that convlab does not own,
  // without a copy (the Python module's NumPy and DLPack arrays): `owner`
  // keeps the memory alive while any Tensor shares it. Writes through the
  // tensor are seen by the memory's owner, and the other way round.
  static Tensor borrow(void* data, Shape shape, DType dtype, Device device, std::shared_ptr<void> owner);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const;  // negative i counts from the end
  int64_t numel() const { return shape_numel(shape_); }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  bool is_cuda() const { return device_ == Device::cuda; }
  std::size_t nbytes() const { return shape_nbytes(shape_, dtype_); }

  void* raw() { return storage_ ? static_cast<char*>(storage_->data()) + offset_ : nullptr; }
  const void* raw() const { return storage_ ? static_cast<const char*>(storage_->data()) + offset_ : nullptr; }
  // Typed pointer; throws when T does not match the tensor's dtype.
  template <class T>
  T* data() {
    check_dtype(dtype_of<std::remove_const_t<T>>::value);
    return static_cast<T*>(raw());
  }
  template <class T>
  const T* data() const {
    check_dtype(dtype_of<std::remove_const_t<T>>::value);
    return static_cast<const T*>(raw());
  }

  // Element access on CPU tensors as double (any dtype); slow, for tests and tools.
  double item(int64_t flat_index = 0) const;
  void set_item(int64_t flat_index, double value);
  std::vector<double> to_vector() const;  // copies to host as doubles

  Tensor clone() const;                             // deep copy on the same device
  Tensor to(Device device) const;                   // copy to device (shares when already there)
  Tensor to(DType dtype) const;                     // converted copy on the CPU (shares when same)
  Tensor reshape(Shape shape) const;                // same storage, new shape (-1 allowed once)
  Tensor slice0(int64_t begin, int64_t end) const;  // rows [begin, end) of dim 0, shared
  void fill_(double value);
  void copy_from(const Tensor& src);  // same shape and dtype, any devices

  // Throw a clear error unless the tensor matches. `name` names the argument.
  void expect_ndim(const char* name, int n) const;
  void expect_shape(const char* name, const Shape& s) const;
  void expect_float(const char* name) const;

 private:
  void check_dtype(DType want) const;
  Tensor(Shape shape, DType dtype, Device device, bool zeroed);
  std::shared_ptr<Storage> storage_;
  std::size_t offset_ = 0;  // bytes
  Shape shape_;
  DType dtype_ = DType::f32;
  Device device_ = Device::cpu;
};

// Testing aid: while on, every new uninitialised tensor (any device tensor
// but zeros(); Tensor::empty on the CPU) is filled with 0xFF bytes (NaN in
// float32/float64), so a kernel that leaves an output element unwritten
// fails its comparison instead of passing by luck.
void set_poison_allocations(bool on);
bool poison_allocations();

// Calls f(T{}) with T = float or double according to dt; throws for other dtypes.
template <class F>
decltype(auto) dispatch_floating(DType dt, const char* what, F&& f) {
  switch (dt) {
    case DType::f32:
      return f(float{});
    case DType::f64:
      return f(double{});
    default:
      break;
  }
  throw Error(std::string(what) + ": expected a float32 or float64 tensor, got " + dtype_name(dt));
}

// Throws unless every tensor lies on `device` and has dtype `dt`.
void expect_same(const char* op, Device device, DType dt,
                 std::initializer_list<std::pair<const char*, const Tensor*>> tensors);

}  // namespace convlab
