// calmkit._core: the compiled half of the `calmkit` Python package.
// One register_<area>() per area, each in its own file; add new areas as one
// line each below (the order matters only where a later area's signatures
// name an earlier area's classes).
#include "common.hpp"

#ifndef CALMKIT_VERSION
#error "CALMKIT_VERSION must be defined by the build (bindings/python/CMakeLists.txt)"
#endif

namespace calmkit::bindings {
void register_exercises(py::module_& m);    // bindings/python/exercises.cpp
void register_store(py::module_& m);        // bindings/python/store.cpp
void register_metrics(py::module_& m);      // bindings/python/metrics.cpp
void register_assessments(py::module_& m);  // bindings/python/assessments.cpp
void register_files(py::module_& m);        // bindings/python/files.cpp
}  // namespace calmkit::bindings

PYBIND11_MODULE(_core, m) {
  m.doc() = "calmkit's compiled core; use the `calmkit` package, which re-exports it.";
  m.attr("__version__") = CALMKIT_VERSION;
  calmkit::bindings::register_model(m);
  calmkit::bindings::register_journal(m);
  calmkit::bindings::register_io(m);
  calmkit::bindings::register_files(m);
  calmkit::bindings::register_synthetic(m);
  calmkit::bindings::register_exercises(m);
  calmkit::bindings::register_store(m);
  calmkit::bindings::register_metrics(m);
  calmkit::bindings::register_assessments(m);
}
