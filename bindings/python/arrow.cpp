// The Arrow bridge's module functions: a Journal to one Arrow record batch
// per record type and back, through the Arrow C data interface, so no record
// passes through JSON text (calmkit.arrow documents the Python side). The
// bridge is in three parts along its seams: arrow_export.cpp (out),
// arrow_import.cpp (in) and arrow_column.hpp (the checks of a producer's
// arrays), with arrow.hpp between them.
#include "arrow.hpp"

#include <string>

namespace calmkit::bindings {

void register_arrow(py::module_& m) {
  arrow::register_batch(m);
  arrow::register_import(m);
  m.def("_journal_to_arrow", &arrow::journal_to_arrow, py::arg("journal"),
        "One _ArrowBatch per record type (keys triggers, readings, exercises, thought_records, assessments), "
        "in journal order; the schema is documented in docs/scale-out.md.");
  m.def(
      "_journal_from_arrow",
      [](const py::dict& tables, const Utf8Arg<"name">& name) {
        return arrow::journal_from_arrow(tables, name);
      },
      py::arg("tables"), py::arg("name") = "<arrow>",
      "A Journal from one Arrow table per record type (objects with __arrow_c_stream__ or "
      "__arrow_c_array__), every row checked by the model's rules; ValueError naming the table, row and "
      "column.");
}

}  // namespace calmkit::bindings
