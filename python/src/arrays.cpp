#include "python/src/arrays.h"

#include <memory>
#include <string>
#include <vector>

#include "kernels/runtime/cuda_device.h"

namespace convlab::python {

namespace {

// A dtype as NumPy names it (int64, uint16, float16, bool).
std::string dtype_label(const nb::dlpack::dtype& dt) {
  const std::string bits = std::to_string(dt.bits);
  switch (static_cast<nb::dlpack::dtype_code>(dt.code)) {
    case nb::dlpack::dtype_code::Int:
      return "int" + bits;
    case nb::dlpack::dtype_code::UInt:
      return "uint" + bits;
    case nb::dlpack::dtype_code::Float:
      return "float" + bits;
    case nb::dlpack::dtype_code::Bool:
      return "bool";
    default:
      return "DLPack type code " + std::to_string(dt.code) + " of " + bits + " bits";
  }
}

DType dtype_from(const nb::dlpack::dtype& dt, const char* name) {
  if (dt == nb::dtype<float>()) return DType::f32;
  if (dt == nb::dtype<double>()) return DType::f64;
  if (dt == nb::dtype<int32_t>()) return DType::i32;
  if (dt == nb::dtype<uint8_t>()) return DType::u8;
  throw nb::type_error(
      (std::string(name) + ": expected an array of float32, float64, int32 or uint8, got " + dtype_label(dt)).c_str());
}

nb::dlpack::dtype dlpack_dtype(DType dt) {
  switch (dt) {
    case DType::f32:
      return nb::dtype<float>();
    case DType::f64:
      return nb::dtype<double>();
    case DType::i32:
      return nb::dtype<int32_t>();
    case DType::u8:
      break;
  }
  return nb::dtype<uint8_t>();
}

}  // namespace

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::cpu;
  if (name == "cuda") {
    CONVLAB_CHECK(cuda::available(), "device \"cuda\": no GPU is usable (" << cuda::no_gpu_reason() << ")");
    return Device::cuda;
  }
  throw Error("device: expected \"cpu\" or \"cuda\", got \"" + name + "\"");
}

Tensor to_tensor(const Array& a, const char* name) {
  CONVLAB_CHECK(a.is_valid(), name << ": no array");
  const DType dt = dtype_from(a.dtype(), name);
  Shape shape;
  for (size_t i = 0; i < a.ndim(); ++i) shape.push_back(static_cast<int64_t>(a.shape(i)));
  CONVLAB_CHECK(shape.size() <= 4,
                name << ": at most 4 dimensions are supported, got an array of shape " << shape_str(shape));
  Device device = Device::cpu;
  if (a.device_type() == nb::device::cuda::value) {
    CONVLAB_CHECK(cuda::available(),
                  name << ": a CUDA array, but convlab has no usable GPU (" << cuda::no_gpu_reason() << ")");
    device = Device::cuda;
  } else {
    CONVLAB_CHECK(
        a.device_type() == nb::device::cpu::value,
        name << ": arrays on the CPU or a CUDA GPU are supported, got DLPack device type " << a.device_type());
  }
  // The array's reference goes with the tensor's storage; it is dropped, with
  // the GIL held, when convlab lets go of the last tensor over this memory.
  auto* keep = new Array(a);
  std::shared_ptr<void> owner(keep, [](void* p) {
    nb::gil_scoped_acquire gil;
    delete static_cast<Array*>(p);
  });
  return Tensor::borrow(a.data(), std::move(shape), dt, device, std::move(owner));
}

nb::object to_array(const Tensor& t) {
  CONVLAB_CHECK(t.defined(), "internal: an undefined tensor cannot be returned to Python");
  std::vector<size_t> shape(t.shape().begin(), t.shape().end());
  nb::capsule owner(new Tensor(t), [](void* p) noexcept { delete static_cast<Tensor*>(p); });
  void* data = const_cast<void*>(t.raw());
  if (t.device() == Device::cpu)
    return nb::ndarray<nb::numpy>(data, shape.size(), shape.data(), owner, nullptr, dlpack_dtype(t.dtype()),
                                  nb::device::cpu::value)
        .cast();
  // A DLPack array (torch.from_dlpack, cupy.from_dlpack) on the process's GPU.
  return nb::ndarray<nb::array_api>(data, shape.size(), shape.data(), owner, nullptr, dlpack_dtype(t.dtype()),
                                    nb::device::cuda::value, 0)
      .cast();
}

OpDevice::OpDevice(const std::string& device, const Array& first) {
  out = first.is_valid() && first.device_type() == nb::device::cuda::value ? Device::cuda : Device::cpu;
  run = device.empty() ? out : parse_device(device);
}

Tensor OpDevice::in(const Array& a, const char* name) const { return to_tensor(a, name).to(run); }

nb::object OpDevice::out_array(const Tensor& t) const { return to_array(t.to(out)); }

}  // namespace convlab::python
