// calmkit._core: the compiled half of the `calmkit` Python package.
// One register_<area>() per area, each in its own file; add new areas as one
// line each below (the order matters only where a later area's signatures
// name an earlier area's classes).
#include "common.hpp"

#include <new>
#include <stdexcept>

#ifndef CALMKIT_VERSION
#error "CALMKIT_VERSION must be defined by the build (bindings/python/CMakeLists.txt)"
#endif

namespace calmkit::bindings {
void register_exercises(py::module_& m);    // bindings/python/exercises.cpp
void register_store(py::module_& m);        // bindings/python/store.cpp
void register_metrics(py::module_& m);      // bindings/python/metrics.cpp
void register_assessments(py::module_& m);  // bindings/python/assessments.cpp
void register_files(py::module_& m);        // bindings/python/files.cpp
void register_arrow(py::module_& m);        // bindings/python/arrow.cpp
void register_timezone(py::module_& m);     // bindings/python/timezone.cpp
}  // namespace calmkit::bindings

PYBIND11_MODULE(_core, m) {
  m.doc() = "calmkit's compiled core; use the `calmkit` package, which re-exports it.";
  m.attr("__version__") = CALMKIT_VERSION;
  // Registered first, so tried last: the library's standard exceptions become
  // the Python errors pybind11 would give them, with a message that survives
  // bytes that are not UTF-8 (a file name). pybind11's own translation decodes
  // strictly and would raise UnicodeDecodeError in place of the real error.
  py::register_exception_translator([](std::exception_ptr p) {
    const auto set = [](PyObject* type, const char* what) {
      PyErr_SetObject(type, calmkit::bindings::display_text(what).ptr());
    };
    try {
      if (p) std::rethrow_exception(p);
    } catch (const py::builtin_exception&) {
      throw;  // py::value_error and the like: pybind11 knows them
    } catch (const std::out_of_range& e) {
      set(PyExc_IndexError, e.what());
    } catch (const std::overflow_error& e) {
      set(PyExc_OverflowError, e.what());
    } catch (const std::invalid_argument& e) {
      set(PyExc_ValueError, e.what());
    } catch (const std::domain_error& e) {
      set(PyExc_ValueError, e.what());
    } catch (const std::length_error& e) {
      set(PyExc_ValueError, e.what());
    } catch (const std::range_error& e) {
      set(PyExc_ValueError, e.what());
    } catch (const std::bad_alloc&) {
      throw;  // MemoryError, from pybind11
    } catch (const py::error_already_set&) {
      throw;
    } catch (const std::exception& e) {
      set(PyExc_RuntimeError, e.what());
    }
  });
  calmkit::bindings::register_model(m);
  calmkit::bindings::register_timezone(m);
  calmkit::bindings::register_journal(m);
  calmkit::bindings::register_io(m);
  calmkit::bindings::register_files(m);
  calmkit::bindings::register_synthetic(m);
  calmkit::bindings::register_exercises(m);
  calmkit::bindings::register_store(m);
  calmkit::bindings::register_metrics(m);
  calmkit::bindings::register_assessments(m);
  calmkit::bindings::register_arrow(m);
}
