// The SQLite journal store: `calmkit.open_store(path)` -> `Store`.
//
// Every call that touches SQLite runs with the GIL released. A Python `Store`
// may be shared between threads: calls are serialized by the C++ store, and
// `close()` waits for calls in progress (a shared/exclusive lock around the
// C++ object), so closing from one thread never pulls the connection from
// under another.
#include "common.hpp"
#include "released_read.hpp"

#include <calmkit/store.hpp>

#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>

namespace calmkit::bindings {
namespace {

class PyStore {
 public:
  explicit PyStore(Store s) : store_(std::move(s)) {}

  /// Runs `fn(store)` with the GIL released and the store kept open meanwhile.
  template <class Fn>
  auto with(Fn&& fn) {
    py::gil_scoped_release release;
    std::shared_lock lock(mu_);
    return fn(store_);
  }

  void close() {
    py::gil_scoped_release release;
    std::unique_lock lock(mu_);
    store_.close();
  }
  [[nodiscard]] bool closed() {
    std::shared_lock lock(mu_);
    return !store_.is_open();
  }
  [[nodiscard]] std::string path() const { return store_.path().string(); }

 private:
  Store store_;
  std::shared_mutex mu_;
};

std::unique_ptr<PyStore> open(const PathArg<"path">& path, bool create, bool read_only) {
  OpenOptions o;
  o.create = create;
  o.read_only = read_only;
  py::gil_scoped_release release;
  return std::make_unique<PyStore>(Store::open(path, o));
}

}  // namespace

void register_store(py::module_& m) {
  m.attr("STORE_SCHEMA_VERSION") = store_schema_version;

  py::class_<PyStore>(m, "Store",
                      "A journal kept in an SQLite database (see docs/store.md). Open one with "
                      "`calmkit.open_store(path)`; use it as a context manager to close it.")
      .def_property_readonly(
          "path", [](const PyStore& s) { return fs_text(s.path()); }, "The database file.")
      .def_property_readonly("closed", &PyStore::closed, "Whether `close()` was called.")
      .def_property_readonly(
          "schema_version", [](PyStore& s) { return s.with([](Store& st) { return st.schema_version(); }); },
          "The schema version of the file (always STORE_SCHEMA_VERSION once open).")
      .def(
          "add",
          [](PyStore& s, py::handle record) {
            Record r = record_from_py(record);
            s.with([&r](Store& st) { st.add(r); });
          },
          py::arg("record"),
          "Adds one Trigger, Reading, ExerciseSession, ThoughtRecord or Assessment in its own "
          "transaction. ValueError names the record and the rule when it would break one (duplicate "
          "id, reference to a missing trigger, end before time, an unregistered instrument or "
          "answers that do not fit it).")
      .def(
          "add_journal",
          [](PyStore& s, const Journal& j) {
            const ColumnsRead reading(j.columns());  // Journal.add on another thread waits
            s.with([&j](Store& st) { st.add_all(j); });
          },
          py::arg("journal"), "Adds every record of a Journal in one transaction: all of them or none.")
      .def(
          "update",
          [](PyStore& s, py::handle record) {
            Record r = record_from_py(record);
            s.with([&r](Store& st) { std::visit([&st](const auto& x) { st.update(x); }, r); });
          },
          py::arg("record"),
          "Replaces the record with the same participant and id, every field included. "
          "ValueError when there is none.")
      .def(
          "remove_trigger",
          [](PyStore& s, const Utf8Arg<"participant">& participant, const Utf8Arg<"id">& id, bool cascade) {
            const std::string& p = participant;
            const std::string& i = id;
            return s.with([&](Store& st) { return st.remove_trigger(p, i, cascade); });
          },
          py::arg("participant"), py::arg("id"), py::kw_only(), py::arg("cascade") = false,
          "Removes a trigger and returns how many records went (0 when there was none). Records "
          "that refer to it make this a ValueError unless cascade=True, which removes them too.")
      .def(
          "remove_reading",
          [](PyStore& s, const Utf8Arg<"participant">& participant, const Utf8Arg<"id">& id) {
            const std::string& p = participant;
            const std::string& i = id;
            return s.with([&](Store& st) { return st.remove_reading(p, i); });
          },
          py::arg("participant"), py::arg("id"), "Removes a reading by id; False when there was none.")
      .def(
          "remove_exercise",
          [](PyStore& s, const Utf8Arg<"participant">& participant, const Utf8Arg<"id">& id) {
            const std::string& p = participant;
            const std::string& i = id;
            return s.with([&](Store& st) { return st.remove_exercise(p, i); });
          },
          py::arg("participant"), py::arg("id"), "Removes an exercise session; False when there was none.")
      .def(
          "remove_thought_record",
          [](PyStore& s, const Utf8Arg<"participant">& participant, const Utf8Arg<"id">& id) {
            const std::string& p = participant;
            const std::string& i = id;
            return s.with([&](Store& st) { return st.remove_thought_record(p, i); });
          },
          py::arg("participant"), py::arg("id"), "Removes a thought record; False when there was none.")
      .def(
          "remove_assessment",
          [](PyStore& s, const Utf8Arg<"participant">& participant, const Utf8Arg<"id">& id) {
            const std::string& p = participant;
            const std::string& i = id;
            return s.with([&](Store& st) { return st.remove_assessment(p, i); });
          },
          py::arg("participant"), py::arg("id"),
          "Removes an assessment and its answers; False when there was none.")
      .def(
          "assessments",
          [](PyStore& s, const Utf8Arg<"participant">& participant, std::optional<Instant> start,
             std::optional<Instant> end) {
            const std::string& p = participant;
            return s.with([&](Store& st) { return st.assessments(p, start, end); });
          },
          py::arg("participant"), py::arg("start") = py::none(), py::arg("end") = py::none(),
          "One participant's assessments with start <= time < end when given, ordered by time then "
          "id. RuntimeError names the record when its instrument is not registered in this process "
          "(register custom instruments before reading).")
      .def(
          "load",
          [](PyStore& s, std::optional<Utf8Arg<"participant">> participant, std::optional<Instant> start,
             std::optional<Instant> end) {
            std::optional<std::string> p;
            if (participant) p = std::move(*participant);
            return s.with([&](Store& st) {
              if (p) return st.load(*p, start, end);
              return st.load_between(start, end);
            });
          },
          py::arg("participant") = py::none(), py::arg("start") = py::none(), py::arg("end") = py::none(),
          "The records as a Journal: one participant's or everyone's, with start <= time < end "
          "when given (plus the triggers outside the range that records inside refer to).")
      .def(
          "participants", [](PyStore& s) { return s.with([](Store& st) { return st.participants(); }); },
          "Every participant with at least one record, sorted.")
      .def(
          "integrity_check",
          [](PyStore& s) { return s.with([](Store& st) { return st.integrity_check(); }); },
          "SQLite's PRAGMA integrity_check, then its foreign_key_check: 'ok' when the file is sound "
          "and every record's participant and trigger are there.")
      .def(
          "__len__", [](PyStore& s) { return s.with([](Store& st) { return st.size(); }); },
          "The number of records of every type.")
      .def(
          "backup",
          [](PyStore& s, const PathArg<"destination">& destination, bool replace) {
            s.with([&](Store& st) { st.backup(destination, replace); });
          },
          py::arg("destination"), py::kw_only(), py::arg("replace") = false,
          "Writes a consistent copy of the store to `destination` with SQLite's online backup API "
          "(safe while others write): one self-contained file, mode 0600, checked, synced and "
          "renamed into place. ValueError when `destination` exists (unless replace=True), is not a "
          "regular file or is the store itself; RuntimeError naming the path for an I/O error.")
      .def("close", &PyStore::close,
           "Closes the database (a writer first folds its -wal file into it, so the closed store is "
           "one file); later calls raise ValueError.")
      .def("__enter__", [](py::object self) { return self; })
      .def(
          "__exit__", [](PyStore& s, const py::args&) { s.close(); }, "Closes the store.")
      .def("__repr__",
           [](PyStore& s) { return "Store(" + quoted(s.path()) + (s.closed() ? ", closed" : "") + ")"; });

  m.def(
      "_store_copy_note",
      [](const PathArg<"path">& path) -> py::object {
        std::optional<std::string> note;
        {
          py::gil_scoped_release nogil;  // it may wait up to about a second for a writer's lock
          note = Store::copy_note(path);
        }
        if (!note) return py::none();
        return display_text(*note);
      },
      py::arg("path"),
      "Store::copy_note: a warning for a store file that may be a copy made while the store was open, "
      "else None (used by calmkit.open_store and the CLI before they open a store).");

  m.def("open_store", &open, py::arg("path"), py::kw_only(), py::arg("create") = true,
        py::arg("read_only") = false,
        "Opens the journal store at `path`, creating it (owner-only, mode 0600) unless "
        "create=False, and migrating an older schema version. read_only=True opens without "
        "writing anything. RuntimeError names the path when the file cannot be opened, is not a "
        "calmkit store, or has a newer schema version.");
}

}  // namespace calmkit::bindings
