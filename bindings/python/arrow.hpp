// The Arrow bridge's parts (bindings/python/arrow*.cpp), shared between them:
// arrow_export.cpp turns a Journal's columns into Arrow arrays exported
// through the C data interface, arrow_import.cpp reads any producer's Arrow
// tables into a JournalBuilder with every row checked, arrow_column.hpp is
// the reading of one producer's array that trusts none of its promises
// (the checks), and arrow.cpp registers the module functions.
#pragma once

#include "common.hpp"

#include <array>
#include <string>

namespace calmkit::bindings::arrow {

/// The tables of a journal, in RecordType's order.
constexpr std::array<const char*, 5> table_names{"triggers", "readings", "exercises", "thought_records",
                                                 "assessments"};

/// One `_ArrowBatch` per record type, keyed by `table_names` (arrow_export.cpp).
py::dict journal_to_arrow(const Journal& j);
/// Registers `_ArrowBatch`, the exported record batch (arrow_export.cpp).
void register_batch(py::module_& m);
/// A Journal from one Arrow table per record type, every row checked by the
/// model's rules; ValueError naming the table, row and column (arrow_import.cpp).
Journal journal_from_arrow(const py::dict& tables, const std::string& name);
/// Registers `_ArrowImport`, the import a table at a time (arrow_import.cpp).
void register_import(py::module_& m);

}  // namespace calmkit::bindings::arrow
