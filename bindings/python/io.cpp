// Reading and writing journals (JSON Lines), and the JournalFormatError
// exception that carries where a problem is as attributes.
//
// Design of lenient reading: `read_journal(path, lenient=True)` returns the
// Journal and reports the skipped lines as one `UserWarning` (nothing is
// dropped silently); `read_journal_with_report(path, lenient=True)` returns
// `(journal, report)` with every skipped line as data, for programs that act
// on them (the `calmkit validate` command does).
//
// Files are read and written with the GIL released.
#include "common.hpp"
#include "exception_class.hpp"
#include "released_read.hpp"

#include <calmkit/exercises.hpp>
#include <calmkit/io.hpp>

#include <pybind11/gil_safe_call_once.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace calmkit::bindings {
namespace {

/// The Python class `calmkit.JournalFormatError(ValueError)`, created once.
py::object& journal_format_error_type(py::module_* m = nullptr) {
  PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
  return storage
      .call_once_and_store_result([m]() {
        py::object cls = new_exception_class(
            *m, "JournalFormatError",
            "A journal that breaks the journal format. A ValueError with attributes `path` (file or "
            "'<string>'), `line` (1-based; 0 for the file as a whole), `field` ('' for the whole line) "
            "and `reason` (what is wrong, in plain words).",
            PyExc_ValueError);
        // Class-level defaults, so that instances raised from Python have them too.
        cls.attr("path") = "";
        cls.attr("line") = 0;
        cls.attr("field") = "";
        cls.attr("reason") = "";
        return cls;
      })
      .get_stored();
}

/// The Python class `calmkit.RecordError(JournalFormatError)`, created once:
/// C++'s `RecordError`, a record refused by the journal format's rules at an
/// entry point that is no file's line.
py::object& record_error_type(py::module_* m = nullptr) {
  PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
  return storage
      .call_once_and_store_result([m]() {
        py::object cls = new_exception_class(
            *m, "RecordError",
            "A record refused by the journal format's rules where it is no file's line (Journal.add, "
            "Journal(records), the record classes, the writer, the store, the Arrow bridge). A "
            "JournalFormatError (so a ValueError) with `path` '' and `line` 0, `field` and `reason` as "
            "the reader gives them for the same record, and `place` (who refused which record, e.g. "
            "\"cannot add trigger 't1' of participant 'p'\"), which the message begins with.",
            journal_format_error_type());
        cls.attr("place") = "";
        return cls;
      })
      .get_stored();
}

void raise_journal_format_error(const JournalFormatError& e) {
  const auto* record = dynamic_cast<const RecordError*>(&e);
  py::object cls = record != nullptr ? record_error_type() : journal_format_error_type();
  py::object exc = cls(display_text(e.what()));
  exc.attr("path") = fs_text(e.path());
  exc.attr("line") = e.line();
  exc.attr("field") = display_text(e.field());
  exc.attr("reason") = display_text(e.reason());
  if (record != nullptr) exc.attr("place") = display_text(record->place());
  PyErr_SetObject(cls.ptr(), exc.ptr());
}

/// How many skipped lines a lenient read's warning shows; the report (and
/// `read_journal_with_report`) keeps every one.
constexpr std::size_t warned_lines = 5;

/// Reports the skipped lines of a lenient read as one UserWarning: how many,
/// the first few, and where to find the rest (a file with thousands of bad
/// lines must not print thousands of lines).
void warn_skipped(const ReadReport& report) {
  if (report.skipped.empty()) return;
  const std::size_t n = report.skipped.size();
  std::string msg = "skipped " + std::to_string(n) + " bad line" + (n == 1 ? "" : "s") + " of " +
                    report.path +
                    (n > warned_lines ? " (the first " + std::to_string(warned_lines) + " shown)" : "") + ":";
  for (std::size_t i = 0; i < std::min(n, warned_lines); ++i) msg += "\n  " + report.skipped[i].message;
  if (n > warned_lines) {
    msg += "\n  ... and " + std::to_string(n - warned_lines) +
           " more; read_journal_with_report(path, lenient=True) lists every skipped line";
  }
  if (PyErr_WarnEx(PyExc_UserWarning, display_utf8(msg).c_str(), 2) != 0) throw py::error_already_set();
}

ReadResult read_file(const std::filesystem::path& path, bool lenient, std::uint64_t max_bytes,
                     std::size_t max_line_bytes, unsigned threads, std::size_t chunk_bytes) {
  py::gil_scoped_release release;
  return read_journal_with_report(path, ReadOptions{.lenient = lenient,
                                                    .max_bytes = max_bytes,
                                                    .max_line_bytes = max_line_bytes,
                                                    .threads = threads,
                                                    .chunk_bytes = chunk_bytes});
}

ReadResult parse_text(const std::string& text, bool lenient, const std::string& name, unsigned threads) {
  py::gil_scoped_release release;
  return parse_journal_with_report(text, ReadOptions{.lenient = lenient, .threads = threads}, name);
}

WriteOptions write_options(bool header, std::string generator) {
  WriteOptions o;
  o.header = header;
  o.generator = std::move(generator);
  return o;
}

void bind_report(py::module_& m) {
  py::class_<SkippedLine>(m, "SkippedLine", "One line a lenient read skipped.")
      .def_readonly("line", &SkippedLine::line, "1-based line number.")
      .def_property_readonly(
          "field", [](const SkippedLine& s) { return display_text(s.field); },
          "The offending field; '' for the line as a whole.")
      .def_property_readonly(
          "reason", [](const SkippedLine& s) { return display_text(s.reason); }, "What was wrong.")
      .def_property_readonly(
          "message", [](const SkippedLine& s) { return display_text(s.message); },
          "`path:line: field 'x': reason` (bytes of the path that are not UTF-8 shown as \\xNN).")
      .def("__repr__", [](const SkippedLine& s) { return "SkippedLine(" + quoted(s.message) + ")"; });
  py::class_<ReadReport>(m, "ReadReport", "What a read did.")
      .def_property_readonly(
          "path", [](const ReadReport& r) { return fs_text(r.path); },
          "The file read (as os.fsdecode gives it), or the name given to parse_journal.")
      .def_readonly("lines", &ReadReport::lines, "Lines in the input, blank ones included.")
      .def_readonly("records", &ReadReport::records, "Records kept.")
      .def_readonly("version", &ReadReport::version, "The header's format version (1 without a header).")
      .def_readonly("skipped", &ReadReport::skipped, "Every skipped line, in line order.")
      .def("__repr__", [](const ReadReport& r) {
        return "ReadReport(path=" + quoted(r.path) + ", lines=" + std::to_string(r.lines) +
               ", records=" + std::to_string(r.records) + ", skipped=" + std::to_string(r.skipped.size()) +
               ")";
      });
  // calmkit::ReadResult, the same two fields; it also unpacks as the pair
  // (journal, report) these functions returned before it existed.
  py::class_<ReadResult>(m, "ReadResult",
                         "What read_journal_with_report returns: the journal and the report.")
      .def_readonly("journal", &ReadResult::journal, "The records kept.")
      .def_readonly("report", &ReadResult::report, "What the read did.")
      .def("__len__", [](const ReadResult&) { return 2; })
      .def(
          "__getitem__",
          [](const py::object& self, py::ssize_t i) -> py::object {
            if (i < 0) i += 2;
            if (i == 0) return self.attr("journal");
            if (i == 1) return self.attr("report");
            throw py::index_error("ReadResult has two items: journal and report");
          },
          py::arg("index"))
      .def("__iter__",
           [](const py::object& self) {
             return py::iter(py::make_tuple(self.attr("journal"), self.attr("report")));
           })
      .def("__repr__", [](const py::object& self) {
        return "ReadResult(journal=" + py::repr(self.attr("journal")).cast<std::string>() +
               ", report=" + py::repr(self.attr("report")).cast<std::string>() + ")";
      });
}

}  // namespace

void register_io(py::module_& m) {
  m.attr("JournalFormatError") = journal_format_error_type(&m);
  m.attr("RecordError") = record_error_type(&m);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const JournalFormatError& e) {
      raise_journal_format_error(e);
    }
  });
  m.attr("JOURNAL_FORMAT_VERSION") = journal_format_version;

  bind_report(m);

  m.def(
      "read_journal",
      [](const PathArg<"path">& path, bool lenient, std::uint64_t max_bytes, std::size_t max_line_bytes,
         unsigned threads, std::size_t chunk_bytes) {
        auto result = read_file(path, lenient, max_bytes, max_line_bytes, threads, chunk_bytes);
        warn_skipped(result.report);
        return std::move(result.journal);
      },
      py::arg("path"), py::kw_only(), py::arg("lenient") = false,
      py::arg("max_bytes") = ReadOptions{}.max_bytes,
      py::arg("max_line_bytes") = ReadOptions{}.max_line_bytes, py::arg("threads") = ReadOptions{}.threads,
      py::arg("chunk_bytes") = ReadOptions{}.chunk_bytes,
      "Reads a JSON Lines journal (path: str or os.PathLike).\n\n"
      "Strict (default): the first problem raises JournalFormatError with path, line and field. "
      "Lenient: bad lines are skipped and reported in one UserWarning; use read_journal_with_report "
      "to get them as data. The file is read in shares of 1 MiB (memory holds the records, not "
      "the file), parsed and merged on `threads` threads (0, the default: one per "
      "hardware thread; 1: the calling thread alone); records, their order, errors and line numbers are the "
      "same for any number. "
      "max_bytes (default 4 GiB, 0 = no limit): a bigger input raises FileError (EFBIG); max_line_bytes "
      "(default 16 MiB, 0 = no limit): a longer line (a stream of zero bytes, say) raises "
      "JournalFormatError. A file that cannot be read raises FileError (an OSError and a RuntimeError).");
  m.def(
      "read_journal_with_report",
      [](const PathArg<"path">& path, bool lenient, std::uint64_t max_bytes, std::size_t max_line_bytes,
         unsigned threads, std::size_t chunk_bytes) {
        return read_file(path, lenient, max_bytes, max_line_bytes, threads, chunk_bytes);
      },
      py::arg("path"), py::kw_only(), py::arg("lenient") = false,
      py::arg("max_bytes") = ReadOptions{}.max_bytes,
      py::arg("max_line_bytes") = ReadOptions{}.max_line_bytes, py::arg("threads") = ReadOptions{}.threads,
      py::arg("chunk_bytes") = ReadOptions{}.chunk_bytes,
      "Like read_journal, but returns a ReadResult (calmkit::ReadResult: .journal and .report, which "
      "also unpacks as journal, report); report.skipped lists every skipped line.");
  m.def(
      "parse_journal",
      [](const TextArg& text, bool lenient, const Utf8Arg<"name">& name, unsigned threads) {
        auto result = parse_text(text.bytes, lenient, name, threads);
        warn_skipped(result.report);
        return std::move(result.journal);
      },
      py::arg("text"), py::kw_only(), py::arg("lenient") = false, py::arg("name") = "<string>",
      py::arg("threads") = ReadOptions{}.threads,
      "Reads journal text held in memory (docs/journal-format.md), with read_journal's rules and order of "
      "checks; `name` stands in for the path in messages. Strict (default): the first problem raises "
      "JournalFormatError (path = name, line, field, reason). Lenient: bad lines are skipped and reported in "
      "one UserWarning; use parse_journal_with_report to get them as data. `threads` as for read_journal.");
  m.def(
      "parse_journal_with_report",
      [](const TextArg& text, bool lenient, const Utf8Arg<"name">& name, unsigned threads) {
        return parse_text(text.bytes, lenient, name, threads);
      },
      py::arg("text"), py::kw_only(), py::arg("lenient") = false, py::arg("name") = "<string>",
      py::arg("threads") = ReadOptions{}.threads,
      "Like parse_journal, but returns a ReadResult (.journal and .report; unpacks as journal, report).");
  m.def(
      "write_journal",
      [](const Journal& journal, const PathArg<"path">& path, bool header, Utf8Arg<"generator"> generator) {
        const auto options = write_options(header, std::move(generator));
        const ReleasedRead release(journal.columns());
        write_journal(journal, path, options);
      },
      py::arg("journal"), py::arg("path"), py::kw_only(), py::arg("header") = true,
      py::arg("generator") = "calmkit",
      "Writes the journal as JSON Lines (header first unless header=False) through calmkit's one safe "
      "write (write_file): only a regular file, or a link to one, is replaced; atomically (a temporary "
      "sibling fsynced and renamed into place); an existing file keeps its mode and owner, a new one is "
      "0600. No lock: use update_journal / append_record to add to a journal others may write. "
      "FileError (an OSError and a RuntimeError) if the file is refused or cannot be written.");
  m.def(
      "to_jsonl",
      [](const Journal& journal, bool header, Utf8Arg<"generator"> generator) {
        const auto options = write_options(header, std::move(generator));
        std::string out;
        {
          const ReleasedRead release(journal.columns());
          out = to_jsonl(journal, options);
        }
        return out;
      },
      py::arg("journal"), py::kw_only(), py::arg("header") = true, py::arg("generator") = "calmkit",
      "The journal as JSON Lines text.");
  m.def(
      "to_json",
      [](py::handle value) -> std::string {
        if (is_record(value)) return to_json(record_from_py(value));
        if (py::isinstance<Exercise>(value)) return to_json(value.cast<const Exercise&>());
        if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
          std::vector<Exercise> exercises;
          std::size_t i = 0;
          for (auto item : value) {
            if (!py::isinstance<Exercise>(item)) {
              throw py::type_error("to_json: a list must hold only Exercises; item " + std::to_string(i) +
                                   " is " + type_name_of(item));
            }
            exercises.push_back(item.cast<const Exercise&>());
            ++i;
          }
          return to_json(std::span<const Exercise>(exercises));
        }
        throw py::type_error("to_json: expected " + std::string(record_types) +
                             ", an Exercise or a list of Exercises, got " + type_name_of(value));
      },
      py::arg("record"),
      "The JSON text (str) of `record`: a journal record (Trigger, Reading, ExerciseSession, ThoughtRecord, "
      "Assessment) as one single-line JSON object of docs/journal-format.md; an Exercise as its definition "
      "(docs/exercises.md, the text of Exercise.to_json(), which exercise_from_json reads back); a list "
      "or tuple of Exercises as a JSON array of definitions (the text of exercises_to_json, which "
      "exercises_from_json reads back). TypeError for anything else, or a list holding anything but "
      "Exercises.");
}

}  // namespace calmkit::bindings
