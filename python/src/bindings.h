// The parts of the _convlab extension module (python/src/module.cpp).
#pragma once
#include <nanobind/nanobind.h>

namespace convlab::python {

namespace nb = nanobind;
using namespace nb::literals;

void bind_layers(nb::module_& m);  // bind_layers.cpp: the ops, their caches
void bind_models(nb::module_& m);  // bind_models.cpp: models, Solver, train

}  // namespace convlab::python
