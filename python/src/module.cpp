// _convlab: the extension module under the Python package convlab
// (python/convlab/). convlab::Error, the library's error for bad input,
// becomes convlab.Error, a ValueError carrying convlab's message.
#include <nanobind/nanobind.h>

#include "host/error.h"
#include "python/src/bindings.h"

NB_MODULE(_convlab, m) {
  namespace nb = nanobind;
  m.doc() = "convlab's kernels and training machinery (the package convlab wraps it)";
  static nb::exception<convlab::Error> error(m, "Error", PyExc_ValueError);
  convlab::python::bind_layers(m);
  convlab::python::bind_models(m);
}
