// Arrays between Python and convlab, without copies.
//
// In: a C-contiguous NumPy array (or any DLPack producer: CuPy, PyTorch, JAX)
// becomes a Tensor over the same memory (Tensor::borrow), which keeps a
// reference to the array for as long as convlab holds the tensor (an op's
// cache, a model). float32, float64, int32 and uint8 only; anything else is
// a TypeError naming the argument.
//
// Out: a Tensor becomes a NumPy array (CPU) or a DLPack array (CUDA) over the
// tensor's storage, which the array keeps alive.
//
// Where an op runs (OpDevice): on `device` when one is given ("cpu" or
// "cuda"), else where the first array lives. Inputs on another device are
// copied there; outputs go back to the first array's device, so NumPy in gives
// NumPy out even when the op ran on the GPU.
#pragma once
#include <string>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include "host/tensor.h"

namespace convlab::python {

namespace nb = nanobind;
using Array = nb::ndarray<nb::c_contig>;

Tensor to_tensor(const Array& a, const char* name);
nb::object to_array(const Tensor& t);

struct OpDevice {
  Device run = Device::cpu;  // where the op runs
  Device out = Device::cpu;  // where results are returned

  // `device`: "", "cpu" or "cuda"; `first`: the op's first array argument.
  OpDevice(const std::string& device, const Array& first);
  // The op's view of an argument: on the run device.
  Tensor in(const Array& a, const char* name) const;
  nb::object out_array(const Tensor& t) const;
};

Device parse_device(const std::string& name);  // "cpu" or "cuda" (a clear error without a GPU)

}  // namespace convlab::python
