// One way to create a Python exception class of the compiled module
// (`calmkit._core.FileError`, `calmkit._core.JournalFormatError`).
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace calmkit::bindings {

namespace py = pybind11;

/// A new exception class `<module>.<name>` with docstring `doc`, deriving from
/// `bases` (an exception class or a tuple of them), owned by the result.
/// Throws py::error_already_set when Python refuses it.
inline py::object new_exception_class(const py::module_& m, const char* name, const char* doc,
                                      py::handle bases) {
  const std::string qualname = py::str(m.attr("__name__")).cast<std::string>() + "." + name;
  PyObject* t = PyErr_NewExceptionWithDoc(qualname.c_str(), doc, bases.ptr(), nullptr);
  if (t == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(t);
}

}  // namespace calmkit::bindings
