// calmkit._core: the time-zone model (include/calmkit/timezone.hpp) for the
// Python layer, which wraps it as a tzinfo (python/calmkit/timezone.py).
#include "common.hpp"

#include <calmkit/timezone.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace calmkit::bindings {

void register_timezone(py::module_& m) {
  py::class_<TimeZone>(m, "_TimeZone",
                       "A time zone: an IANA name read from the system's tzdata or a POSIX TZ rule "
                       "(calmkit::TimeZone). Use calmkit.TimeZone, the tzinfo built on it.")
      .def(py::init([](const Utf8Arg<"spec">& spec) { return TimeZone::locate(spec); }), py::arg("spec"),
           "The zone an IANA name or a POSIX TZ rule stands for; ValueError naming both readings otherwise.")
      .def_property_readonly("name", &TimeZone::name, "The name or rule the zone was made from.")
      .def_property_readonly("from_tzdata", &TimeZone::from_tzdata,
                             "True for a zone read from tzdata, False for a POSIX rule.")
      .def(
          "interval_at",
          [](const TimeZone& z, std::int64_t utc_s) {
            const ZoneInterval i = z.interval_at_seconds(utc_s);
            return py::make_tuple(i.begin_s, i.end_s, i.offset_s, i.dst);
          },
          py::arg("utc_seconds"),
          "(begin, end, offset, dst) for an instant given as seconds since 1970 (UTC): the offset east "
          "of UTC in seconds holds for begin <= t < end (seconds; int64 limits stand for unbounded).")
      .def("local_offset", &TimeZone::local_offset_seconds, py::arg("local_seconds"), py::arg("fold"),
           "Offset in seconds of a wall time (seconds since 1970-01-01T00:00 on the zone's clocks), "
           "PEP 495's fold deciding a repeated or skipped wall time.");
}

}  // namespace calmkit::bindings
