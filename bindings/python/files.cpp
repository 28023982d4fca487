// Safe writes, staged folders, sidecar locks and locked journal updates
// (include/calmkit/files.hpp, io.hpp): the one write path that every Python
// writer of calmkit (report, CSV and research exports, Parquet, imports) goes
// through, so there is no second implementation in Python.
//
// FileError is raised as `calmkit.FileError`, a subclass of both OSError (with
// errno, strerror and filename set) and RuntimeError (what these errors were
// before it existed).
#include "common.hpp"
#include "exception_class.hpp"

#include <calmkit/files.hpp>
#include <calmkit/io.hpp>

#include <pybind11/functional.h>
#include <pybind11/gil_safe_call_once.h>
#include <pybind11/stl/filesystem.h>

#include <cerrno>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace calmkit::bindings {
namespace {

py::object& file_error_type(py::module_* m = nullptr) {
  PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
  return storage
      .call_once_and_store_result([m]() {
        py::object cls = new_exception_class(
            *m, "FileError",
            "A file calmkit could not read or write, or would not replace (a directory, FIFO, device or "
            "socket). An OSError (errno, strerror and filename set) and a RuntimeError.",
            py::make_tuple(py::handle(PyExc_OSError), py::handle(PyExc_RuntimeError)));
        // str(e) is the message alone (it names the file already), not
        // OSError's "[Errno N] message: 'file'".
        cls.attr("__str__") = py::cpp_function(
            [](py::handle self) -> py::object {
              py::object text = self.attr("strerror");
              return text.is_none() ? py::str(self.attr("args")) : py::str(text);
            },
            py::is_method(cls));
        return cls;
      })
      .get_stored();
}

/// Bytes from a `bytes`-like object or a `str` (encoded as UTF-8).
std::string bytes_of(py::handle data, std::string_view name) {
  if (py::isinstance<py::str>(data)) return utf8_argument(*utf8_bytes(data), name, ArgRole::argument);
  py::buffer_info info = py::buffer(py::reinterpret_borrow<py::object>(data)).request();
  if (info.ndim > 1 && info.strides.back() != info.itemsize)
    throw py::value_error("a contiguous buffer is needed");
  return {static_cast<const char*>(info.ptr), static_cast<std::size_t>(info.size * info.itemsize)};
}

SafeWriteOptions write_options_of(bool replace) {
  SafeWriteOptions o;
  o.replace = replace;
  return o;
}

/// The read limits of update_journal and append_records (their keyword
/// arguments max_bytes= and max_line_bytes=); the other ReadOptions as read_journal's.
ReadOptions limits_of(std::uint64_t max_bytes, std::size_t max_line_bytes) {
  ReadOptions o;
  o.max_bytes = max_bytes;
  o.max_line_bytes = max_line_bytes;
  return o;
}

/// Lends a journal to a Python callable for one call. The Python object owns
/// the journal while the callable runs (moved in: no copy), and the journal is
/// moved back when the loan ends, leaving the object an empty Journal. A
/// callable that keeps the object it was given (in a list, a closure) thus
/// keeps a valid, empty journal, never one pointing at memory the C++ call has
/// freed (as an object made with return_value_policy::reference would).
/// `journal` must be an object the caller may change for the loan's length:
/// append_records lends its own working journal, whose contents are the same
/// before and after.
class LentJournal {
 public:
  explicit LentJournal(Journal& journal) : journal_(journal), object_(py::cast(std::move(journal))) {}
  LentJournal(const LentJournal&) = delete;
  LentJournal& operator=(const LentJournal&) = delete;
  ~LentJournal() {
    auto* held = object_.cast<Journal*>();
    journal_ = std::move(*held);
    *held = Journal{};
  }
  [[nodiscard]] const py::object& object() const { return object_; }

 private:
  Journal& journal_;
  py::object object_;
};

}  // namespace

void register_files(py::module_& m) {
  m.attr("FileError") = file_error_type(&m);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const FileError& e) {
      py::object cls = file_error_type();
      py::object exc = cls(e.error(), display_text(e.what()), fs_text(e.path()));
      PyErr_SetObject(cls.ptr(), exc.ptr());
    }
  });

  m.def(
      "write_file",
      [](const PathArg<"path">& path, py::handle data, bool replace) {
        const std::string bytes = bytes_of(data, "data");
        py::gil_scoped_release release;
        write_file(path, bytes, write_options_of(replace));
      },
      py::arg("path"), py::arg("data"), py::kw_only(), py::arg("replace") = true,
      "Writes `data` (bytes, or str written as UTF-8) to `path` the one safe way calmkit writes every "
      "file: only a regular file is replaced (a directory, FIFO, device or socket raises FileError "
      "saying what it is); a symbolic link is followed and the file it leads to replaced; the bytes go "
      "to a temporary file in the target's folder, fsynced and renamed over the target, then the folder "
      "is fsynced (a reader sees the old file or the new one; a full disk leaves the old one); an "
      "existing file keeps its mode and owner, a new one is created 0600. replace=False: FileError "
      "(EEXIST) if the target exists. See docs/store.md, 'Safe writes'.");
  m.def(
      "write_files",
      [](const std::vector<std::pair<PathArg<"files">, py::object>>& files, bool replace) {
        std::vector<std::pair<std::filesystem::path, std::string>> owned;
        owned.reserve(files.size());
        for (const auto& [path, data] : files) owned.emplace_back(path, bytes_of(data, "files"));
        py::gil_scoped_release release;
        write_files(owned, write_options_of(replace));
      },
      py::arg("files"), py::kw_only(), py::arg("replace") = true,
      "Writes several files, each as write_file does, together: all are written and fsynced to "
      "temporary siblings before any is renamed into place, so a refused target or a full disk "
      "replaces none. `files`: a list of (path, bytes or str).");
  m.def(
      "resolve_write_target", [](const PathArg<"path">& path) { return resolve_write_target(path); },
      py::arg("path"),
      "The file a write to `path` replaces: `path`, or where its chain of symbolic links leads. "
      "FileError if that is not a regular file (or absent).");

  py::class_<StagedDirectory>(
      m, "StagedDirectory",
      "A new folder built next to `target` and swapped into its place in one step (readers see the "
      "old set of files or the new set, never a mix). Use as a context manager: fill `.path` (with "
      "write_file), and leaving the block without an exception commits; an exception removes the "
      "staging folder and leaves the target as it was.\n\n"
      "    with calmkit.StagedDirectory('export') as stage:\n"
      "        calmkit.write_file(stage.path / 'a.csv', 'x\\n')")
      .def(
          py::init([](const PathArg<"target">& target) { return std::make_unique<StagedDirectory>(target); }),
          py::arg("target"))
      .def_property_readonly("path", &StagedDirectory::path, "The staging folder to fill.")
      .def_property_readonly("target", &StagedDirectory::target, "The folder it replaces (links followed).")
      .def(
          "write",
          [](StagedDirectory& s, const PathArg<"relative">& relative, const py::buffer& data) {
            // Any contiguous buffer (bytes, a pyarrow.Buffer): written without a copy into Python bytes.
            Py_buffer view;
            if (PyObject_GetBuffer(data.ptr(), &view, PyBUF_SIMPLE) != 0) throw py::error_already_set();
            struct Release {
              Py_buffer* v;
              explicit Release(Py_buffer* b) : v(b) {}
              Release(const Release&) = delete;
              Release& operator=(const Release&) = delete;
              ~Release() { PyBuffer_Release(v); }  // after the GIL is taken back (declared first)
            } held(&view);
            const std::string_view bytes(static_cast<const char*>(view.buf),
                                         static_cast<std::size_t>(view.len));
            py::gil_scoped_release release;
            s.write(relative, bytes);
          },
          py::arg("relative"), py::arg("data"),
          "Writes a new file (mode 0600, folders 0700) at a path inside the staging folder; the commit "
          "makes all such files durable with one file-system sync instead of one fsync each. `data`: "
          "bytes or any contiguous buffer (a pyarrow.Buffer, a memoryview).")
      .def("commit", &StagedDirectory::commit, "Swaps the staging folder into place.")
      .def(
          "__enter__", [](StagedDirectory& s) -> StagedDirectory& { return s; },
          py::return_value_policy::reference)
      .def("__exit__", [](StagedDirectory& s, const py::args& exc) {
        if (exc.empty() || exc[0].is_none()) s.commit();
        return false;
      });

  // A lock is released by the context manager's exit (or by the object's
  // destruction): hold it in a unique_ptr so __exit__ can drop it at once.
  struct PyFileLock {
    std::filesystem::path file;
    std::unique_ptr<FileLock> lock;
  };
  py::class_<PyFileLock>(
      m, "FileLock",
      "An exclusive advisory lock (flock) on FILE.lock, the sidecar of `file`, for `with` blocks: "
      "`with calmkit.FileLock('journal.jsonl'): ...`. The sidecar is never replaced nor removed, so the "
      "lock survives the journal being replaced by a rename; symbolic links are followed so every path "
      "to one file shares one lock. Entering blocks (without holding the GIL) until the lock is free.")
      .def(py::init([](const PathArg<"file">& file) {
             // Refused here, not at `with`: an empty path names no file (it
             // locked `.lock` in the current folder, B216).
             if (file.empty())
               throw FileError("", ENOENT, "FileLock(): file= is an empty path, which names no file");
             return PyFileLock{file, nullptr};
           }),
           py::arg("file"))
      .def(
          "__enter__",
          [](PyFileLock& l) -> PyFileLock& {
            py::gil_scoped_release release;
            l.lock = std::make_unique<FileLock>(l.file);
            return l;
          },
          py::return_value_policy::reference)
      .def("__exit__",
           [](PyFileLock& l, const py::args&) {
             l.lock.reset();
             return false;
           })
      .def_property_readonly(
          "lock_path",
          [](const PyFileLock& l) -> py::object {
            if (!l.lock) return py::none();
            return py::cast(l.lock->lock_path());
          },
          "The sidecar file while the lock is held, else None.");

  m.def(
      "update_journal",
      [](const PathArg<"path">& path, const py::function& change, bool header, Utf8Arg<"generator"> generator,
         std::uint64_t max_bytes, std::size_t max_line_bytes) {
        const WriteOptions options{header, std::move(generator)};
        const ReadOptions read_options = limits_of(max_bytes, max_line_bytes);
        py::gil_scoped_release release;
        update_journal(
            path,
            [&change](Journal& j) {
              py::gil_scoped_acquire acquire;
              py::object result;
              bool same = false;
              {
                const LentJournal lent(j);
                result = change(lent.object());
                same = result.is(lent.object());  // the journal given back: changed in place
              }
              // A Journal returned replaces the records: how Python removes or changes some.
              if (same) {
                // j holds what change left in it
              } else if (py::isinstance<Journal>(result)) {
                // The journal change lent is let go first, so that no more than
                // the journal read, change's and the result are held at once.
                j = Journal{};
                auto* kept = result.cast<Journal*>();
                if (Py_REFCNT(result.ptr()) == 1) {
                  // No one else holds the result (change built it and returned
                  // it): its records are taken, not copied; the emptied object
                  // goes when `result` does.
                  j = std::move(*kept);
                } else {
                  j = *kept;
                }
              } else if (!result.is_none()) {
                throw py::type_error("update_journal: change(journal) returned " + type_name_of(result) +
                                     "; expected None (the journal changed in place) or a Journal "
                                     "(the records to keep)");
              }
            },
            options, read_options);
      },
      py::arg("path"), py::arg("change"), py::kw_only(), py::arg("header") = true,
      py::arg("generator") = "calmkit", py::arg("max_bytes") = ReadOptions{}.max_bytes,
      py::arg("max_line_bytes") = ReadOptions{}.max_line_bytes,
      "Changes a journal file safely under concurrency: takes its FileLock (flock on PATH.lock), reads "
      "it strictly (absent: an empty journal), calls change(journal) — which adds to the Journal it is "
      "given (one kept past the call is then empty), or returns a Journal that replaces its records (how "
      "records are "
      "removed or changed: calmkit.Journal(kept records)) — and writes the file back keeping what change "
      "left alone: each "
      "untouched record's line byte for byte in its place (unknown fields, offsets, line order, a "
      "byte-order mark, CRLF), the header and blank lines; a removed record loses its line, a changed one "
      "(same type, participant and id; without an id, same type, participant and time) is written in "
      "calmkit's form in its place with the old line's "
      "fields calmkit does not know kept, added ones at the end "
      "(journal order). Nothing changed: the file is not written; an absent or empty file is written "
      "whole (header=, generator=). Processes and threads that use this or append_records never lose "
      "each other's records. If change raises, or the journal is broken (JournalFormatError), the file "
      "is left as it was. docs/store.md, 'Changing a journal file'.");
  m.def(
      "_fs_path",
      [](py::handle path, const Utf8Arg<"name">& name) {
        auto bytes = fs_bytes(path, name);
        if (!bytes) {
          throw py::type_error(arg_place(name, ArgRole::argument) +
                               "expected str, bytes or os.PathLike, got " +
                               py::str(py::type::of(path).attr("__name__")).cast<std::string>());
        }
        return py::bytes(*bytes);
      },
      py::arg("path"), py::arg("name"),
      "The bytes of a file name (os.fsencode's) by the rule every path parameter of calmkit._core follows, "
      "for the Python functions that take a path: ValueError naming the parameter `name` for a lone "
      "surrogate that is no byte's escape (U+DC80..U+DCFF are) or a NUL byte, with Python's own error as "
      "its cause; TypeError for an object that is no path.");
  m.def(
      "_utf8_text",
      [](py::handle text, const Utf8Arg<"name">& name) {
        auto bytes = utf8_bytes(text);
        if (!bytes) {
          throw py::type_error(arg_place(name, ArgRole::argument) + "expected str or bytes, got " +
                               py::str(py::type::of(text).attr("__name__")).cast<std::string>());
        }
        utf8_argument(std::move(*bytes), name, ArgRole::argument);
        return py::reinterpret_borrow<py::object>(text);
      },
      py::arg("text"), py::arg("name"),
      "`text` itself once it is UTF-8, by the rule every text parameter of calmkit._core follows, for the "
      "Python functions that take text: ValueError `argument 'name': is not valid UTF-8 (...)` for a str "
      "holding a lone surrogate or bytes that are not UTF-8; TypeError for an object that is no text.");
  m.def(
      "append_record",
      [](const PathArg<"path">& path, py::handle record) {
        Record r = record_from_py(record);
        py::gil_scoped_release release;
        append_record(path, std::move(r));
      },
      py::arg("path"), py::arg("record"),
      "Adds one record to a journal file as a line at its end, every byte already there kept, under its "
      "lock (append_records). ValueError for a duplicate id or a reading or exercise naming a trigger that "
      "is "
      "not there; the file is then left as it was.");
  m.def(
      "append_records",
      [](const PathArg<"path">& path, const py::sequence& records, bool header,
         Utf8Arg<"generator"> generator, std::uint64_t max_bytes, std::size_t max_line_bytes) {
        const WriteOptions options{header, std::move(generator)};
        const ReadOptions read_options = limits_of(max_bytes, max_line_bytes);
        // The Python objects added, in order: what a callable returned, or the record given.
        std::vector<py::object> items;
        items.reserve(records.size());
        for (py::handle item : records) items.push_back(py::reinterpret_borrow<py::object>(item));
        py::list added;
        std::vector<RecordMaker> makers;
        makers.reserve(items.size());
        for (std::size_t k = 0; k < items.size(); ++k) {
          makers.emplace_back([&item = items[k], k, &added](const Journal& j) -> Record {
            py::gil_scoped_acquire acquire;
            py::object rec = item;
            if (PyCallable_Check(item.ptr()) != 0) {
              // append_records' own working journal, the same before and after the loan
              const LentJournal lent(
                  const_cast<Journal&>(j));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
              const auto revision = lent.object().cast<const Journal&>().revision();
              rec = item(lent.object());
              // Only returned records are written: a change to the lent journal
              // would be lost, and a record checked against it might not read back.
              if (lent.object().cast<const Journal&>().revision() != revision) {
                throw py::value_error(
                    "records[" + std::to_string(k) +
                    "]: the make(journal) callable changed the journal it was given (add, remove or "
                    "replace); only the records the callables return are written, so that change would be "
                    "lost: return each record to add as its own item instead (a trigger before the "
                    "readings that name it); nothing was written");
              }
            }
            Record r = record_from_py(rec);
            added.append(rec);
            return r;
          });
        }
        {
          py::gil_scoped_release release;
          append_records(path, makers, options, read_options);
        }
        return added;
      },
      py::arg("path"), py::arg("records"), py::kw_only(), py::arg("header") = true,
      py::arg("generator") = "calmkit", py::arg("max_bytes") = ReadOptions{}.max_bytes,
      py::arg("max_line_bytes") = ReadOptions{}.max_line_bytes,
      "Adds records to a journal file as lines at its end, every byte already there kept, and returns them "
      "(a list). Each item is a record or a callable make(journal) -> record, called under the lock with the "
      "journal as read plus the records added before it (one kept past the call is then empty). Under the "
      "journal's "
      "FileLock (the lock of update_journal) the file is read once and strictly (read_journal's checks and "
      "messages), each record is added to the journal (ids unique, a named trigger there) and checked as a "
      "line (to_json); then the old bytes and the new lines (ended as the first line is, CRLF or LF) are "
      "written in one safe write (write_file), or nothing is written: all the records or none. An absent or "
      "empty file gets the header line first (header=, generator=); a new file is 0600. Errors: "
      "JournalFormatError for a broken, compressed or non-UTF-8 journal; ValueError (RecordError) for a "
      "record that does not fit; FileError (an OSError) for a file that cannot be read or written or is no "
      "regular file; whatever a callable raises.");
}

}  // namespace calmkit::bindings
