#include "host/tensor.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "host/memory/block_cache.h"
#include "kernels/runtime/cuda_device.h"

namespace convlab {

std::size_t dtype_size(DType dt) {
  switch (dt) {
    case DType::f32:
      return 4;
    case DType::f64:
      return 8;
    case DType::i32:
      return 4;
    case DType::u8:
      return 1;
  }
  return 0;
}

const char* dtype_name(DType dt) {
  switch (dt) {
    case DType::f32:
      return "float32";
    case DType::f64:
      return "float64";
    case DType::i32:
      return "int32";
    case DType::u8:
      return "uint8";
  }
  return "?";
}

const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << '(';
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  if (s.size() == 1) os << ',';
  os << ')';
  return os.str();
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (auto d : s) {
    CONVLAB_CHECK(d >= 0, "shape " << shape_str(s) << ": negative dimension " << d);
    CONVLAB_CHECK(!__builtin_mul_overflow(n, d, &n),
                  "shape " << shape_str(s) << ": the element count overflows 64 bits");
  }
  return n;
}

std::size_t shape_nbytes(const Shape& s, DType dt) {
  const auto n = static_cast<std::size_t>(shape_numel(s));
  const std::size_t size = dtype_size(dt);
  CONVLAB_CHECK(n <= kMaxTensorBytes / size, "shape " << shape_str(s) << " " << dtype_name(dt) << ": " << n
                                                      << " elements need more than convlab's limit of "
                                                      << kMaxTensorBytes << " bytes per tensor");
  return n * size;
}

static std::atomic<bool> g_poison{false};
void set_poison_allocations(bool on) { g_poison = on; }
bool poison_allocations() { return g_poison; }

Storage::Storage(std::size_t nbytes, Device device, bool zeroed) : nbytes_(nbytes), device_(device) {
  ptr_ = allocate_block(device, nbytes);
  if (!nbytes) return;
  const int byte = zeroed ? 0 : g_poison ? 0xFF : -1;
  if (byte < 0) return;
  if (device == Device::cpu)
    std::memset(ptr_, byte, nbytes);
  else
    cuda::memset_device(ptr_, byte, nbytes);
}

Storage::Storage(void* data, std::size_t nbytes, Device device, std::shared_ptr<void> owner)
    : ptr_(data), nbytes_(nbytes), device_(device), owner_(std::move(owner)) {
  CONVLAB_CHECK(data || !nbytes, "Storage: borrowed memory of " << nbytes << " bytes at a null pointer");
}

Storage::~Storage() {
  if (!owner_) release_block(device_, ptr_, nbytes_);
}

static void check_shape_valid(const Shape& shape) {
  CONVLAB_CHECK(shape.size() <= 4, "Tensor: at most 4 dimensions are supported, got shape " << shape_str(shape));
  for (auto d : shape) CONVLAB_CHECK(d >= 0, "Tensor: negative dimension in shape " << shape_str(shape));
}

Tensor::Tensor(Shape shape, DType dtype, Device device)
    : Tensor(std::move(shape), dtype, device, device == Device::cpu) {}

Tensor::Tensor(Shape shape, DType dtype, Device device, bool zeroed)
    : shape_(std::move(shape)), dtype_(dtype), device_(device) {
  check_shape_valid(shape_);
  storage_ = std::make_shared<Storage>(shape_nbytes(shape_, dtype), device, zeroed);
}

Tensor Tensor::borrow(void* data, Shape shape, DType dtype, Device device, std::shared_ptr<void> owner) {
  check_shape_valid(shape);
  CONVLAB_CHECK(owner, "Tensor::borrow: no owner keeps the memory of shape " << shape_str(shape) << " alive");
  Tensor t;
  t.storage_ = std::make_shared<Storage>(data, shape_nbytes(shape, dtype), device, std::move(owner));
  t.shape_ = std::move(shape);
  t.dtype_ = dtype;
  t.device_ = device;
  return t;
}

Tensor Tensor::empty(Shape shape, DType dtype, Device device) { return Tensor(std::move(shape), dtype, device, false); }

Tensor Tensor::zeros(Shape shape, DType dtype, Device device) { return Tensor(std::move(shape), dtype, device, true); }

Tensor Tensor::full(Shape shape, double value, DType dtype) {
  Tensor t(std::move(shape), dtype);
  t.fill_(value);
  return t;
}

Tensor Tensor::from_vector(const std::vector<double>& values, Shape shape, DType dtype) {
  Tensor t(std::move(shape), dtype);
  CONVLAB_CHECK(static_cast<int64_t>(values.size()) == t.numel(),
                "Tensor::from_vector: " << values.size() << " values do not fill shape " << shape_str(t.shape()));
  for (int64_t i = 0; i < t.numel(); ++i) t.set_item(i, values[static_cast<std::size_t>(i)]);
  return t;
}

int64_t Tensor::dim(int i) const {
  int n = ndim();
  int j = i < 0 ? i + n : i;
  CONVLAB_CHECK(j >= 0 && j < n, "Tensor::dim(" << i << ") out of range for shape " << shape_str(shape_));
  return shape_[static_cast<std::size_t>(j)];
}

void Tensor::check_dtype(DType want) const {
  CONVLAB_CHECK(want == dtype_,
                "Tensor: data requested as " << dtype_name(want) << " but the tensor holds " << dtype_name(dtype_));
}

template <class F>
static auto visit_cpu(const Tensor& t, F&& f) {
  CONVLAB_CHECK(t.device() == Device::cpu, "Tensor: element access needs a CPU tensor (call .to(Device::cpu))");
  switch (t.dtype()) {
    case DType::f32:
      return f(static_cast<const float*>(t.raw()));
    case DType::f64:
      return f(static_cast<const double*>(t.raw()));
    case DType::i32:
      return f(static_cast<const int32_t*>(t.raw()));
    case DType::u8:
      return f(static_cast<const uint8_t*>(t.raw()));
  }
  throw Error("Tensor: unknown dtype");
}

double Tensor::item(int64_t i) const {
  CONVLAB_CHECK(i >= 0 && i < numel(), "Tensor::item: index " << i << " out of range for shape " << shape_str(shape_));
  return visit_cpu(*this, [&](auto p) { return static_cast<double>(p[i]); });
}

void Tensor::set_item(int64_t i, double v) {
  CONVLAB_CHECK(i >= 0 && i < numel(),
                "Tensor::set_item: index " << i << " out of range for shape " << shape_str(shape_));
  visit_cpu(*this, [&](auto p) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(p)>>;
    const_cast<T*>(p)[i] = static_cast<T>(v);
    return 0;
  });
}

std::vector<double> Tensor::to_vector() const {
  Tensor h = to(Device::cpu);
  std::vector<double> v(static_cast<std::size_t>(numel()));
  visit_cpu(h, [&](auto p) {
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(p[i]);
    return 0;
  });
  return v;
}

Tensor Tensor::clone() const {
  if (!defined()) return Tensor();
  Tensor t(shape_, dtype_, device_);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::to(Device device) const {
  if (!defined() || device == device_) return *this;
  Tensor t(shape_, dtype_, device);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::to(DType dtype) const {
  if (!defined() || dtype == dtype_) return *this;
  Tensor src = to(Device::cpu);
  Tensor t(shape_, dtype);
  for (int64_t i = 0; i < numel(); ++i) t.set_item(i, src.item(i));
  return device_ == Device::cpu ? t : t.to(device_);
}

Tensor Tensor::reshape(Shape shape) const {
  int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      CONVLAB_CHECK(infer < 0, "Tensor::reshape: only one -1 allowed in " << shape_str(shape));
      infer = static_cast<int>(i);
    } else {
      CONVLAB_CHECK(shape[i] >= 0 && !__builtin_mul_overflow(known, shape[i], &known),
                    "Tensor::reshape: cannot reshape " << shape_str(shape_) << " to " << shape_str(shape));
    }
  }
  if (infer >= 0) {
    CONVLAB_CHECK(known > 0 && numel() % known == 0,
                  "Tensor::reshape: cannot reshape " << shape_str(shape_) << " to " << shape_str(shape));
    shape[static_cast<std::size_t>(infer)] = numel() / known;
  }
  check_shape_valid(shape);
  CONVLAB_CHECK(shape_numel(shape) == numel(), "Tensor::reshape: cannot reshape " << shape_str(shape_) << " ("
                                                                                  << numel() << " elements) to "
                                                                                  << shape_str(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::slice0(int64_t begin, int64_t end) const {
  CONVLAB_CHECK(ndim() >= 1 && begin >= 0 && begin <= end && end <= shape_[0],
                "Tensor::slice0: rows [" << begin << ", " << end << ") out of range for shape " << shape_str(shape_));
  Tensor t = *this;
  int64_t row = shape_[0] ? numel() / shape_[0] : 0;
  t.offset_ += static_cast<std::size_t>(begin * row) * dtype_size(dtype_);
  t.shape_[0] = end - begin;
  return t;
}

void Tensor::fill_(double value) {
  if (device_ == Device::cuda) {
    Tensor h = Tensor::full(shape_, value, dtype_);
    copy_from(h);
    return;
  }
  for (int64_t i = 0; i < numel(); ++i) set_item(i, value);
}

void Tensor::copy_from(const Tensor& src) {
  CONVLAB_CHECK(src.shape_ == shape_ && src.dtype_ == dtype_,
                "Tensor::copy_from: source " << shape_str(src.shape_) << ' ' << dtype_name(src.dtype_)
                                             << " does not match destination " << shape_str(shape_) << ' '
                                             << dtype_name(dtype_));
  const std::size_t n = nbytes();
  if (n == 0) return;
  if (device_ == Device::cpu && src.device_ == Device::cpu)
    std::memcpy(raw(), src.raw(), n);
  else if (device_ == Device::cuda && src.device_ == Device::cpu)
    cuda::memcpy_h2d(raw(), src.raw(), n);
  else if (device_ == Device::cpu && src.device_ == Device::cuda)
    cuda::memcpy_d2h(raw(), src.raw(), n);
  else
    cuda::memcpy_d2d(raw(), src.raw(), n);
}

void Tensor::expect_ndim(const char* name, int n) const {
  CONVLAB_CHECK(defined(), name << ": tensor is empty (expected " << n << " dimensions)");
  CONVLAB_CHECK(ndim() == n, name << ": expected " << n << " dimensions, got shape " << shape_str(shape_));
}

void Tensor::expect_shape(const char* name, const Shape& s) const {
  CONVLAB_CHECK(defined(), name << ": tensor is empty (expected shape " << shape_str(s) << ")");
  CONVLAB_CHECK(shape_ == s, name << ": expected shape " << shape_str(s) << ", got " << shape_str(shape_));
}

void Tensor::expect_float(const char* name) const {
  CONVLAB_CHECK(dtype_ == DType::f32 || dtype_ == DType::f64,
                name << ": expected a float32 or float64 tensor, got " << dtype_name(dtype_));
}

void expect_same(const char* op, Device device, DType dt,
                 std::initializer_list<std::pair<const char*, const Tensor*>> tensors) {
  for (const auto& [name, t] : tensors) {
    CONVLAB_CHECK(t->defined(), op << ": argument " << name << " is empty");
    CONVLAB_CHECK(t->device() == device, op << ": argument " << name << " is on " << device_name(t->device())
                                            << " but the op runs on " << device_name(device));
    CONVLAB_CHECK(t->dtype() == dt, op << ": argument " << name << " is " << dtype_name(t->dtype()) << " but expected "
                                       << dtype_name(dt));
  }
}

}  // namespace convlab
