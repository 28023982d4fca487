/// @file timezone.hpp
/// @brief calmkit's one time-zone model: `TimeZone` takes an IANA zone name
/// (`Europe/Berlin`, read from the system's tzdata) or a POSIX TZ rule
/// (`CET-1CEST,M3.5.0,M10.5.0/3`) and answers, for an instant, the UTC offset
/// and the `[begin, end)` interval over which that offset holds, so callers
/// cache intervals rather than instants.
///
/// Every `--tz` of the command line and every `tz=` of the Python API goes
/// through `TimeZone::locate` (docs/time-zones.md).
///
/// The POSIX rules themselves (`PosixTimeZone`) and the `ZoneInterval`
/// answer are posix_timezone.hpp's; this header adds the zones of the
/// system's tzdata (TZif tables) and the lookup of a name or a rule.
#pragma once

#include <calmkit/errors.hpp>
#include <calmkit/posix_timezone.hpp>
#include <calmkit/time.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace calmkit {

/// A time zone: an IANA zone read from the system's tzdata (a TZif file,
/// RFC 8536), or a POSIX TZ rule. One type answers for both, so that every
/// `--tz` and every `tz=` takes either form.
///
/// A TZif zone follows its table of transitions and, after the last one, the
/// POSIX rule of the file's footer (which is how tzdata describes the far
/// future); before the first transition it has the first standard-time type,
/// as Python's `zoneinfo` does. Leap-second records are ignored (as
/// `zoneinfo` does: calmkit's instants are POSIX seconds).
///
/// Example
/// ```cpp
/// auto berlin = calmkit::TimeZone::locate("Europe/Berlin");
/// auto rule = calmkit::TimeZone::locate("CET-1CEST,M3.5.0,M10.5.0/3");
/// auto t = calmkit::Instant::parse("2026-07-01T12:00:00Z");
/// berlin.offset_at(t).minutes();  // 120, as rule.offset_at(t)
/// berlin.interval_at(t);          // [2026-03-29T01:00Z, 2026-10-25T01:00Z), +7200 s, dst
/// ```
class TimeZone {
 public:
  /// A zone following the POSIX rule `rule` at every instant.
  TimeZone(PosixTimeZone rule)  // NOLINT(google-explicit-constructor): a rule is a zone
      : name_(rule.rule()), footer_(std::move(rule)) {}

  /// The zone an IANA name (`Europe/Berlin`, `UTC`) or a POSIX TZ rule
  /// (`CET-1CEST,M3.5.0,M10.5.0/3`) stands for.
  ///
  /// `spec` is first looked up as a zone name in the folders of
  /// `tzdata_folders()` (the first that holds a TZif file of that name wins),
  /// and read as a POSIX rule only when no zone has that name: `EST5EDT` is
  /// tzdata's zone of that name (with its history), as in `zoneinfo`.
  /// @throws std::invalid_argument "unknown time zone ..." naming both
  /// readings when `spec` is neither, or naming the file when a zone file is
  /// not valid TZif.
  [[nodiscard]] static TimeZone locate(std::string_view spec) {
    if (is_zone_name(spec)) {
      for (const auto& folder : tzdata_folders()) {
        const std::string path = folder + "/" + std::string(spec);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) continue;  // a folder such as Europe
        std::ifstream in(path, std::ios::binary);
        if (!in) continue;
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad() || bytes.compare(0, 4, "TZif") != 0) continue;  // a folder, zone.tab, ...
        return from_tzif(bytes, std::string(spec), path);
      }
    }
    try {
      return TimeZone(PosixTimeZone(spec));
    } catch (const std::invalid_argument& e) {
      detail::throw_invalid("unknown time zone '" + std::string(spec) +
                            "': not an IANA zone name found in the system's tzdata (such as "
                            "Europe/Berlin) nor a POSIX TZ rule (such as CET-1CEST,M3.5.0,M10.5.0/3; " +
                            e.what() + ")");
    }
  }

  /// The zone described by the TZif data `bytes` (RFC 8536, versions 1-4),
  /// called `name`; `where` names the data's origin in errors.
  /// @throws std::invalid_argument naming `where` and what is wrong.
  [[nodiscard]] static TimeZone from_tzif(std::string_view bytes, std::string name, std::string_view where) {
    TimeZone z;
    z.name_ = std::move(name);
    z.read_tzif(bytes, where);
    return z;
  }

  /// The folders searched for zone names: `$TZDIR` when set, then the usual
  /// places of tzdata (those Python's `zoneinfo.TZPATH` defaults to).
  [[nodiscard]] static std::vector<std::string> tzdata_folders() {
    std::vector<std::string> out;
    if (const char* dir = std::getenv("TZDIR"); dir != nullptr && *dir != '\0') out.emplace_back(dir);
    for (const char* d :
         {"/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo", "/etc/zoneinfo"})
      out.emplace_back(d);
    return out;
  }

  /// The offset at `t` and the span around it over which it holds.
  [[nodiscard]] ZoneInterval interval_at(Instant t) const {
    return interval_at_seconds(detail::seconds_of_micros(t.utc_us()));
  }

  /// The offset at `s` (seconds since the epoch, UTC) and the span around it
  /// over which it holds.
  [[nodiscard]] ZoneInterval interval_at_seconds(std::int64_t s) const {
    if (transitions_.empty()) return footer_ ? footer_->interval_at_seconds(s) : fixed(after_);
    if (s < transitions_.front()) {
      ZoneInterval out = fixed(before_);
      out.end_s = transitions_.front();
      return out;
    }
    const auto i = static_cast<std::size_t>(std::upper_bound(transitions_.begin(), transitions_.end(), s) -
                                            transitions_.begin() - 1);
    const std::size_t last = transitions_.size() - 1;
    if (i == last) {
      // zoneinfo: the footer rules after the last change, the table's last
      // type at it; where both agree the two make one interval.
      const Type& at_last = types_[type_of_[last]];
      ZoneInterval out = footer_ ? footer_->interval_at_seconds(s) : fixed(after_);
      const ZoneInterval then = footer_ ? footer_->interval_at_seconds(transitions_[last]) : out;
      const bool agree = then.offset_s == at_last.offset_s && then.dst == at_last.dst;
      if (s > transitions_[last] || agree) {
        out.begin_s = std::max(out.begin_s, transitions_[last] + (agree ? 0 : 1));
        return out;
      }
    }
    ZoneInterval out = fixed(types_[type_of_[i]]);
    out.begin_s = transitions_[i];
    out.end_s = i < last ? transitions_[i + 1] : transitions_[i] + 1;
    return out;
  }

  /// The UTC offset the zone's clocks show at `t`, in whole minutes (the
  /// nearest: local mean times before 1900 have seconds).
  [[nodiscard]] UtcOffset offset_at(Instant t) const {
    return UtcOffset(detail::nearest_minutes(interval_at(t).offset_s));
  }

  /// The same instant carrying this zone's offset.
  [[nodiscard]] Instant localize(Instant t) const { return t.with_offset(offset_at(t)); }

  /// The offset, in seconds, of the wall time `local_s` (seconds since
  /// 1970-01-01T00:00 on the zone's clocks), by PEP 495: a wall time shown
  /// twice (clocks went back) gets the offset of its first occurrence when
  /// `fold` is false and of its second when true; a wall time that never
  /// happens (clocks jumped forward) gets the offset before the jump when
  /// `fold` is false and the one after when true.
  [[nodiscard]] std::int32_t local_offset_seconds(std::int64_t local_s, bool fold) const {
    constexpr std::int64_t reach = std::int64_t{2} * 86'400;  // offsets lie within (-24 h, 24 h)
    // The intervals around the wall time, in order; each that holds
    // local_s - its offset is an occurrence of local_s.
    std::array<ZoneInterval, 16> spans{};
    std::size_t n = 0;
    ZoneInterval z = interval_at_seconds(local_s - reach);
    for (;;) {
      spans[n++] = z;
      if (n == spans.size() || z.end_s > local_s + reach ||
          z.end_s == std::numeric_limits<std::int64_t>::max())
        break;
      z = interval_at_seconds(z.end_s);
    }
    const ZoneInterval* first = nullptr;
    const ZoneInterval* second = nullptr;
    for (std::size_t k = 0; k < n; ++k) {
      if (spans[k].contains(local_s - spans[k].offset_s)) (first == nullptr ? first : second) = &spans[k];
    }
    if (first != nullptr) return fold && second != nullptr ? second->offset_s : first->offset_s;
    // A gap: the change whose wall clock jumps over local_s.
    for (std::size_t k = 0; k + 1 < n; ++k) {
      if (spans[k].end_s + spans[k].offset_s <= local_s &&
          local_s < spans[k + 1].begin_s + spans[k + 1].offset_s)
        return fold ? spans[k + 1].offset_s : spans[k].offset_s;
    }
    return spans[0].offset_s;  // not reached for zones whose offsets stay within a day
  }

  /// The name or rule the zone was made from.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// True for a zone read from tzdata, false for a POSIX rule.
  [[nodiscard]] bool from_tzdata() const noexcept { return tzdata_; }

 private:
  struct Type {
    std::int32_t offset_s = 0;
    bool dst = false;
  };

  TimeZone() = default;

  static ZoneInterval fixed(const Type& t) { return ZoneInterval{.offset_s = t.offset_s, .dst = t.dst}; }

  /// A name zoneinfo would look up: letters, digits and `._+-` in `/`-separated
  /// parts, none of them `.` or `..`, not absolute.
  static bool is_zone_name(std::string_view s) {
    if (s.empty() || s.size() > 255 || s.front() == '/' || s.back() == '/') return false;
    std::size_t part = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == '/') {
        const auto p = s.substr(part, i - part);
        if (p.empty() || p == "." || p == "..") return false;
        part = i + 1;
        continue;
      }
      const auto c = static_cast<unsigned char>(s[i]);
      if (!(std::isalnum(c) || c == '_' || c == '-' || c == '+' || c == '.')) return false;
    }
    return true;
  }

  void read_tzif(std::string_view b, std::string_view where) {
    auto bad = [&](const std::string& why) {
      detail::throw_invalid("time zone file " + std::string(where) + " is not valid TZif: " + why);
    };
    auto u32 = [&](std::size_t at) {
      if (at + 4 > b.size()) bad("it ends early");
      std::uint32_t v = 0;
      for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(b[at + k]);
      return v;
    };
    auto i64 = [&](std::size_t at, int width) -> std::int64_t {
      if (width == 4) return static_cast<std::int32_t>(u32(at));
      return static_cast<std::int64_t>((static_cast<std::uint64_t>(u32(at)) << 32) | u32(at + 4));
    };
    if (b.size() < 44 || b.substr(0, 4) != "TZif") bad("no 'TZif' header");
    const char version = b[4];
    struct Counts {
      std::size_t isut, isstd, leap, time, type, chars;
    };
    auto counts = [&](std::size_t at) {
      Counts c{u32(at + 20), u32(at + 24), u32(at + 28), u32(at + 32), u32(at + 36), u32(at + 40)};
      if (c.type == 0 || c.type > 256 || c.time > 1'000'000 || c.leap > 100'000 || c.chars > 65'536 ||
          (c.isut != 0 && c.isut != c.type) || (c.isstd != 0 && c.isstd != c.type))
        bad("impossible counts in its header");
      return c;
    };
    auto block_size = [](const Counts& c, std::size_t width) {
      return c.time * width + c.time + c.type * 6 + c.chars + c.leap * (width + 4) + c.isstd + c.isut;
    };
    std::size_t at = 0;
    Counts c = counts(0);
    std::size_t width = 4;
    if (version != '\0') {  // version 2+: skip the 32-bit block, read the 64-bit one
      at = 44 + block_size(c, 4);
      if (at + 44 > b.size() || b.substr(at, 4) != "TZif") bad("no second header");
      c = counts(at);
      width = 8;
    }
    std::size_t p = at + 44;
    if (p + block_size(c, width) > b.size()) bad("it ends early");
    transitions_.resize(c.time);
    type_of_.resize(c.time);
    for (std::size_t k = 0; k < c.time; ++k) {
      transitions_[k] = i64(p + k * width, static_cast<int>(width));
      if (k > 0 && transitions_[k] <= transitions_[k - 1]) bad("transition times not in increasing order");
    }
    p += c.time * width;
    for (std::size_t k = 0; k < c.time; ++k) {
      type_of_[k] = static_cast<unsigned char>(b[p + k]);
      if (type_of_[k] >= c.type) bad("a transition names a type it does not have");
    }
    p += c.time;
    types_.resize(c.type);
    for (std::size_t k = 0; k < c.type; ++k) {
      const auto off = static_cast<std::int32_t>(u32(p + k * 6));
      if (off <= -86'400 || off >= 86'400) bad("a UTC offset of a day or more");
      types_[k] = {off, b[p + k * 6 + 4] != 0};
    }
    p += block_size(c, width) - c.time * width - c.time;
    // zoneinfo: before the first transition, the first standard-time type.
    before_ = types_[0];
    const auto std_type = std::find_if(types_.begin(), types_.end(), [](const Type& t) { return !t.dst; });
    if (std_type != types_.end())
      before_ = *std_type;
    else if (!type_of_.empty())
      before_ = types_[type_of_[0]];
    if (version != '\0') {
      if (p >= b.size() || b[p] != '\n') bad("no footer");
      const auto close = b.find('\n', p + 1);
      if (close == std::string_view::npos) bad("an unterminated footer");
      const auto rule = b.substr(p + 1, close - p - 1);
      if (!rule.empty()) {
        try {
          footer_.emplace(rule);
        } catch (const std::invalid_argument& e) {
          bad(std::string("its footer: ") + e.what());
        }
      }
    }
    // Without a rule for the future, the last type stays (zoneinfo).
    after_ = type_of_.empty() ? types_.back() : types_[type_of_.back()];
    tzdata_ = true;
  }

  std::string name_;
  std::vector<std::int64_t> transitions_;  // seconds since the epoch, UTC, increasing
  std::vector<std::uint8_t> type_of_;      // the type each transition changes to
  std::vector<Type> types_;
  Type before_;                          // in force before the first transition
  Type after_;                           // in force after the last, when the file has no rule
  std::optional<PosixTimeZone> footer_;  // in force after the last transition
  bool tzdata_ = false;                  // read from a TZif file
};

}  // namespace calmkit
