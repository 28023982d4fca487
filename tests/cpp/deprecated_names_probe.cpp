// Compiled (never linked) by tests/cpp/deprecated_names_warn.cmake: every
// retired spelling of docs/architecture.md's table of names, used once. Each
// use must draw a deprecation warning that names the new spelling.
#include <calmkit/metrics.hpp>

#include <cstdint>

std::int64_t use_the_old_names(const calmkit::Journal& j) {
  const auto t = calmkit::Instant::from_utc_micros(0);
  const calmkit::CohortColumns& c = j.columns();
  const calmkit::metrics::CohortColumns& m = c;
  const auto eps = calmkit::metrics::episodes(m);
  return t.utc_micros() + t.local_micros() + static_cast<std::int64_t>(eps.size());
}
