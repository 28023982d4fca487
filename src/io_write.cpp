// The journal format v1 (JSON Lines): the writer (calmkit/io.hpp's
// write_journal, update_journal, append_record, to_jsonl and to_json;
// the reader is src/io_read.cpp).
//
// Writer: one line at a time into a buffer that is flushed in large chunks;
// the file variant writes a temporary sibling, fsyncs it and renames it over
// the target.
#include <calmkit/assessments.hpp>
#include <calmkit/files.hpp>
#include <calmkit/io.hpp>
#include <calmkit/validate.hpp>

#include "io_error.hpp"
#include "io_read_keys.hpp"
#include "io_read_padded.hpp"
#include "journal_fields.hpp"
#include "json_text.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

namespace calmkit {
namespace detail {
namespace {

// ---------------------------------------------------------------------------
// Writer internals

void put_key(std::string& o, std::string_view key) {
  o += ",\"";
  o += key;
  o += "\":";
}

void put_field(std::string& o, std::string_view key, std::string_view value) {
  put_key(o, key);
  put_json_string(o, value);
}
void put_opt_string(std::string& o, std::string_view key, std::string_view value) {
  if (!value.empty()) put_field(o, key, value);
}
void put_int(std::string& o, std::string_view key, int v) {
  put_key(o, key);
  char buf[16];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  o.append(buf, r.ptr);
}
void put_bool(std::string& o, std::string_view key, bool v) {
  put_key(o, key);
  o += v ? "true" : "false";
}
void put_time(std::string& o, std::string_view key, Instant t) {
  put_key(o, key);
  o += '"';
  o += t.to_string();
  o += '"';
}
template <class Range, class Fn>
void put_list(std::string& o, std::string_view key, const Range& items, Fn&& each) {
  if (items.empty()) return;
  put_key(o, key);
  o += '[';
  bool first = true;
  for (const auto& x : items) {
    if (!first) o += ',';
    first = false;
    each(x);
  }
  o += ']';
}
void put_strings(std::string& o, std::string_view key, const std::vector<std::string>& items) {
  put_list(o, key, items, [&o](const std::string& s) { put_json_string(o, s); });
}

void open_record(std::string& o, std::string_view type, const std::string& participant, const std::string& id,
                 Instant time) {
  o += "{\"type\":\"";
  o += type;
  o += '"';
  put_opt_string(o, "participant", participant);
  put_opt_string(o, "id", id);
  put_time(o, "time", time);
}

void append(std::string& o, const Trigger& t) {
  open_record(o, "trigger", t.participant, t.id, t.time);
  put_field(o, "category", to_id(t.category));
  put_int(o, "intensity", t.intensity.value());
  put_opt_string(o, "context", t.context);
  put_strings(o, "thoughts", t.thoughts);
  put_strings(o, "sensations", t.sensations);
  put_opt_string(o, "urge", t.urge);
  if (t.acted_on_urge) put_bool(o, "acted_on_urge", *t.acted_on_urge);
  if (t.acted_after_minutes) {
    const double m = t.acted_after_minutes->value();  // finite and >= 0: the type holds no other
    put_key(o, "acted_after_minutes");
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, m);  // shortest text that reads back the same
    o.append(buf, r.ptr);
  }
  put_opt_string(o, "response", t.response);
  put_strings(o, "tags", t.tags);
  o += '}';
}

void append(std::string& o, const Reading& r) {
  open_record(o, "reading", r.participant, r.id, r.time);
  put_int(o, "intensity", r.intensity.value());
  put_opt_string(o, "trigger", r.trigger);
  put_opt_string(o, "note", r.note);
  o += '}';
}

void append(std::string& o, const ExerciseSession& e) {
  open_record(o, "exercise", e.participant, e.id, e.time);
  put_field(o, "exercise", e.exercise);
  put_time(o, "end", e.end);
  if (!e.completed) put_bool(o, "completed", false);
  if (e.intensity_before) put_int(o, "intensity_before", e.intensity_before->value());
  if (e.intensity_after) put_int(o, "intensity_after", e.intensity_after->value());
  put_opt_string(o, "trigger", e.trigger);
  put_strings(o, "responses", e.responses);
  o += '}';
}

void append(std::string& o, const ThoughtRecord& r) {
  open_record(o, "thought_record", r.participant, r.id, r.time);
  put_field(o, "situation", r.situation);
  put_field(o, "automatic_thought", r.automatic_thought);
  put_int(o, "belief_before", r.belief_before.value());
  put_list(o, "emotions", r.emotions, [&o](const EmotionRating& em) {
    o += "{\"name\":";
    put_json_string(o, em.name);
    put_int(o, "before", em.before.value());
    if (em.after) put_int(o, "after", em.after->value());
    o += '}';
  });
  put_list(o, "distortions", r.distortions, [&o](Distortion d) { put_json_string(o, to_id(d)); });
  put_strings(o, "evidence_for", r.evidence_for);
  put_strings(o, "evidence_against", r.evidence_against);
  put_strings(o, "alternatives", r.alternatives);
  put_opt_string(o, "friend_advice", r.friend_advice);
  put_opt_string(o, "balanced_thought", r.balanced_thought);
  if (r.belief_after) put_int(o, "belief_after", r.belief_after->value());
  put_opt_string(o, "trigger", r.trigger);
  o += '}';
}

void append(std::string& o, const Assessment& a) {
  open_record(o, "assessment", a.participant, a.id, a.time);
  put_field(o, "instrument", a.instrument);
  put_key(o, "answers");  // required, so written even when empty
  o += '[';
  for (std::size_t i = 0; i < a.answers.size(); ++i) {
    if (i > 0) o += ',';
    o += std::to_string(a.answers[i]);
  }
  o += ']';
  put_opt_string(o, "note", a.note);
  o += '}';
}

/// Appends one record; a text field that is not valid UTF-8 would make a file
/// no reader accepts, so it is refused here.
template <class R>
void append_checked(std::string& o, const R& r) {
  // A record that breaks a rule makes a file no reader accepts: the model's
  // rules (validate.hpp) refuse it here, with the record as the place.
  // Its text's UTF-8 is checked below on the output, all fields at once.
  if (auto bad = validate(r, TextCheck::checked)) [[unlikely]]
    throw_record("cannot write " + describe_record(r), std::move(*bad));
  if constexpr (std::is_same_v<R, Assessment>) {
    if (auto bad = validate_answers(r)) [[unlikely]]
      throw_record("cannot write " + describe_record(r), std::move(*bad));
  }
  const std::size_t start = o.size();
  append(o, r);
  if (!simdjson::validate_utf8(o.data() + start, o.size() - start)) [[unlikely]] {
    o.resize(start);
    // The rule names the field (every byte that is not UTF-8 is in one).
    auto bad = rules::utf8_fields(r);
    throw_record("cannot write " + describe_record(r),
                 bad ? std::move(*bad) : RuleViolation{"", "is not valid UTF-8"});
  }
}

/// The lines of `text`, a last one without a line break counted.
std::size_t line_count(std::string_view text) noexcept {
  const auto n = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return n + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

/// Refuses a line the reader would refuse in the file after the write:
/// `json` (the line of `what`, a record) longer than
/// `options.max_line_bytes` (0: no limit), as line `line_no` of the journal
/// `given`. JournalFormatError, with the file and line as the reader's.
void check_line_length(std::string_view json, const ReadOptions& options, const std::filesystem::path& given,
                       const std::function<std::size_t()>& line_no,
                       const std::function<std::string()>& what) {
  const std::size_t max = options.max_line_bytes;
  if (max == 0 || json.size() <= max) [[likely]]
    return;
  throw JournalFormatError(
      given.string(), line_no(), "",
      "cannot write " + what() + ": its line would hold " + std::to_string(json.size()) +
          " bytes, more than the limit of " + std::to_string(max) +
          " bytes a journal line may hold (ReadOptions::max_line_bytes; max_line_bytes= in "
          "Python), and read_journal would then refuse the journal; nothing was written");
}

std::string describe(const Record& r) {
  return std::visit([](const auto& x) { return describe_record(x); }, r);
}

/// Writes the whole journal through `sink(const char*, size_t)` in chunks of
/// about 1 MiB.
template <class Sink>
void write_all(const Journal& journal, const WriteOptions& options, Sink&& sink,
               std::size_t max_line_bytes = 0, const std::filesystem::path& given = {}) {
  std::size_t line_no = 0;  // counted only under a line limit
  constexpr std::size_t chunk = std::size_t{1} << 20;
  std::string buf;
  buf.reserve(chunk + 4096);
  if (options.header) {
    buf += "{\"type\":\"header\",\"format\":\"calmkit-journal\"";
    put_int(buf, "version", journal_format_version);
    put_opt_string(buf, "generator", options.generator);
    buf += "}\n";
    line_no = 1;
    if (auto bad = rules::utf8_text("generator", options.generator)) {
      throw_record("cannot write the header", std::move(*bad));
    }
  }
  auto each = [&](auto records) {
    // One scratch record, refilled from the journal's columns row by row.
    typename decltype(records)::value_type r;
    for (std::size_t row = records.first_row(); row < records.end_row(); ++row) {
      journal.load(row, r);
      const std::size_t start = buf.size();
      append_checked(buf, r);
      ++line_no;
      if (max_line_bytes > 0 && buf.size() - start > max_line_bytes) [[unlikely]] {
        ReadOptions limit;
        limit.max_line_bytes = max_line_bytes;
        check_line_length(
            std::string_view(buf).substr(start), limit, given, [&] { return line_no; },
            [&] { return describe_record(r); });
      }
      buf += '\n';
      if (buf.size() >= chunk) {
        sink(buf.data(), buf.size());
        buf.clear();
      }
    }
  };
  each(journal.triggers());
  each(journal.readings());
  each(journal.exercises());
  each(journal.thought_records());
  each(journal.assessments());
  if (!buf.empty()) sink(buf.data(), buf.size());
}

// ---------------------------------------------------------------------------
// Changing a journal file: its bytes kept (append_records, update_journal)

/// A journal file's bytes, read once, with simdjson's padding after them:
/// the reader parses them where they are (`parse_padded_journal`), and the
/// lines a change keeps are written from them. Held in the reader's growing
/// buffer (`jsonl::KeyBytes`).
class FileBytes {
 public:
  [[nodiscard]] std::string_view text() const noexcept { return {bytes_.data(), bytes_.size()}; }

  /// The bytes of the journal file `target` (link-resolved); nullopt when it
  /// does not exist. `given` names it in messages. Only a regular file is
  /// read (a FIFO would block, and `write_file` would refuse it anyway);
  /// `options.max_bytes` as `read_journal`.
  static std::optional<FileBytes> read(const std::filesystem::path& target,
                                       const std::filesystem::path& given, const ReadOptions& options) {
    const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
      if (errno == ENOENT) return std::nullopt;
      io_error("cannot open journal", given, errno);
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) io_error("cannot read journal", given, errno);
    if (S_ISDIR(st.st_mode)) io_error("cannot read journal", given, EISDIR);
    if (!S_ISREG(st.st_mode)) {
      io_error("cannot read journal", given, EINVAL,
               "it is not a regular file (a journal that calmkit changes in place must be one)");
    }
    const auto limit = static_cast<std::uint64_t>(options.max_bytes);
    if (limit > 0 && static_cast<std::uint64_t>(st.st_size) > limit) {
      file_over_limit(given, static_cast<std::uint64_t>(st.st_size), limit);
    }
    constexpr std::size_t pad = simdjson::SIMDJSON_PADDING;
    FileBytes b;
    jsonl::KeyBytes& bytes = b.bytes_;
    // One byte more than the file holds: a read that fills it saw the file grow.
    bytes.reserve(static_cast<std::size_t>(st.st_size) + 1 + pad);
    for (;;) {
      // The room before the padding's; once the file grew, half as much again (read on to its end).
      std::size_t want = bytes.capacity() - bytes.size();
      want = want > pad ? want - pad : bytes.size() / 2 + 4096;
      char* to = bytes.extend(want);
      const ssize_t n = ::read(fd, to, want);
      bytes.truncate(bytes.size() - want + (n > 0 ? static_cast<std::size_t>(n) : 0));
      if (n < 0) {
        if (errno == EINTR) continue;
        io_error("cannot read journal", given, errno);
      }
      if (n == 0) break;
      if (limit > 0 && bytes.size() > limit) {
        input_over_limit(given, true, limit);
      }
    }
    // The padding is read by the parser; its bytes are set so that nothing
    // reads memory never written.
    std::memset(bytes.extend(pad), 0, pad);
    bytes.truncate(bytes.size() - pad);
    return b;
  }

 private:
  jsonl::KeyBytes bytes_;
};

// --- the fields a changed record's line keeps: those of its type not in
// journal_fields.hpp (`is_record_field`), which are another app's

namespace od = simdjson::ondemand;

/// Throws on a simdjson error: only lines already read strictly, or written
/// by calmkit, are parsed here, so one is a bug.
void ok(simdjson::error_code e) {
  if (e != simdjson::SUCCESS) [[unlikely]]
    throw_runtime(std::string("cannot keep a changed line's unknown fields: ") + simdjson::error_message(e));
}

/// The JSON text of `v`, as written (objects and arrays whole).
std::string_view raw_value(od::value v) {
  od::json_type t{};
  ok(v.type().get(t));
  std::string_view raw;
  if (t == od::json_type::object) {
    od::object o;
    ok(v.get_object().get(o));
    ok(o.raw_json().get(raw));
  } else if (t == od::json_type::array) {
    od::array a;
    ok(v.get_array().get(a));
    ok(a.raw_json().get(raw));
  } else {
    raw = v.raw_json_token();
  }
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' || raw.back() == '\n'))
    raw.remove_suffix(1);
  return raw;
}

/// Calls `each(key, value)` for the members of `o` in order, the key
/// unescaped and copied (the parser reuses its string buffer).
template <class Each>
void for_each_member(od::object o, Each&& each) {
  for (auto member : o) {
    od::field f;
    ok(std::move(member).get(f));
    std::string_view key;
    ok(f.unescaped_key().get(key));
    each(std::string(key), f.value());
  }
}

/// The text of a string value.
std::string string_value(od::value v) {
  std::string_view text;
  ok(v.get_string().get(text));
  return std::string(text);
}

/// `fresh`, the line of a changed record of type `type` in calmkit's form,
/// with the members of `old` (the line it replaces) that calmkit does not
/// know added at its end, as they were written; in a thought record, each
/// emotion keeps the unknown members of the old emotion of the same name
/// (the first not yet taken). Nothing calmkit does not know is dropped.
std::string keep_unknown_fields(std::size_t type, const std::string& fresh, std::string_view old) {
  static thread_local od::parser parser;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
  const simdjson::padded_string old_text(old);
  od::document doc;
  ok(parser.iterate(old_text).get(doc));
  od::object o;
  ok(doc.get_object().get(o));
  std::string extra;                                               // the old line's unknown members
  std::vector<std::pair<std::string, std::string>> emotion_extra;  // (name, unknown members) per old emotion
  auto put_member = [](std::string& out, const std::string& key, od::value v) {
    put_json_string(out, key);
    out += ':';
    out += raw_value(v);
  };
  for_each_member(o, [&](const std::string& k, od::value v) {
    if (type == type_index<ThoughtRecord> && k == "emotions") {
      od::array emotions;
      ok(v.get_array().get(emotions));
      for (auto item : emotions) {
        od::object e;
        ok(item.get_object().get(e));
        std::string name;
        std::string unknown;
        for_each_member(e, [&](const std::string& ek, od::value ev) {
          if (ek == "name") {
            name = string_value(ev);
          } else if (!is_field(emotion_fields, ek)) {
            unknown += ',';
            put_member(unknown, ek, ev);
          }
        });
        if (!unknown.empty()) emotion_extra.emplace_back(std::move(name), std::move(unknown));
      }
      return;
    }
    if (is_record_field(type, k)) return;
    extra += ',';
    put_member(extra, k, v);
  });
  if (extra.empty() && emotion_extra.empty()) return fresh;
  if (emotion_extra.empty()) return fresh.substr(0, fresh.size() - 1) + extra + '}';
  // The emotions too: `fresh` rebuilt member by member.
  static thread_local od::parser fresh_parser;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
  const simdjson::padded_string fresh_text(fresh);
  od::document fdoc;
  ok(fresh_parser.iterate(fresh_text).get(fdoc));
  od::object fo;
  ok(fdoc.get_object().get(fo));
  std::string out = "{";
  for_each_member(fo, [&](const std::string& k, od::value v) {
    if (out.size() > 1) out += ',';
    if (k != "emotions") {
      put_member(out, k, v);
      return;
    }
    put_json_string(out, k);
    out += ":[";
    od::array emotions;
    ok(v.get_array().get(emotions));
    bool first = true;
    for (auto item : emotions) {
      od::object e;
      ok(item.get_object().get(e));
      std::string one;
      std::string name;
      for_each_member(e, [&](const std::string& ek, od::value ev) {
        one += one.empty() ? "{" : ",";
        if (ek == "name") {
          name = string_value(ev);
          put_json_string(one, ek);
          one += ':';
          put_json_string(one, name);
        } else {
          put_member(one, ek, ev);
        }
      });
      const auto match = std::find_if(emotion_extra.begin(), emotion_extra.end(),
                                      [&name](const auto& x) { return x.first == name; });
      if (match != emotion_extra.end()) {
        one += match->second;
        emotion_extra.erase(match);  // taken
      }
      one += '}';
      if (!first) out += ',';
      first = false;
      out += one;
    }
    out += ']';
  });
  out += extra;
  out += '}';
  return out;
}

/// The line end of `old`'s first line: CRLF or LF.
std::string_view line_end_of(std::string_view old) noexcept {
  const auto nl = old.find('\n');
  return nl != std::string_view::npos && nl > 0 && old[nl - 1] == '\r' ? "\r\n" : "\n";
}

/// Passes bytes on to a sink: long runs (kept lines of the old file) at once,
/// short pieces (new lines) gathered into chunks of about 1 MiB. Knows the
/// last byte passed.
class Output {
 public:
  explicit Output(const ByteSink& sink) : sink_(sink) {}
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() = default;

  void put(std::string_view bytes) {
    if (bytes.empty()) return;
    last_ = bytes.back();
    if (bytes.size() >= chunk) {
      flush();
      sink_(bytes.data(), bytes.size());
      return;
    }
    buf_.append(bytes);
    if (buf_.size() >= chunk) flush();
  }
  /// Whether the bytes so far end a line (or there are none).
  [[nodiscard]] bool at_line_start() const noexcept { return last_ == '\n'; }
  void flush() {
    if (!buf_.empty()) sink_(buf_.data(), buf_.size());
    buf_.clear();
  }

 private:
  static constexpr std::size_t chunk = std::size_t{1} << 20;
  const ByteSink& sink_;
  std::string buf_;
  char last_ = '\n';
};

/// Writes `old` byte for byte, then `lines`: after a line break when `old`
/// does not end with one, each ended as `old`'s first line is. An empty
/// `old` (no file yet, or an empty one): the header line first (`options`)
/// and LF ends. A line longer than `read_options.max_line_bytes`
/// (`check_line_length`; `what`: each line's record) is refused first.
void write_appended(const std::filesystem::path& target, const std::filesystem::path& given,
                    std::string_view old, const std::vector<std::string>& lines,
                    const std::vector<std::string>& what, const WriteOptions& options,
                    const ReadOptions& read_options) {
  for (std::size_t k = 0; k < lines.size(); ++k) {
    check_line_length(
        lines[k], read_options, given,
        [&] {
          const std::string_view text = old.starts_with("\xEF\xBB\xBF") ? old.substr(3) : old;
          return (old.empty() ? (options.header ? 1 : 0) : line_count(text)) + k + 1;
        },
        [&] { return what[k]; });
  }
  write_file(target, [&](const ByteSink& sink) {
    Output out(sink);
    std::string_view eol = "\n";
    if (old.empty()) {
      write_all(Journal{}, options, [&out](const char* p, std::size_t n) { out.put({p, n}); });
    } else {
      eol = line_end_of(old);
      out.put(old);
      if (!out.at_line_start()) out.put(eol);
    }
    for (const auto& line : lines) {
      out.put(line);
      out.put(eol);
    }
    out.flush();
  });
}

/// Throws what `journal.add(record)` would (RecordError); `journal` may be
/// left with the record added or not.
/// The rules of an added record (its id unique for its participant and type,
/// its trigger one of its participant's) look at its participant's records
/// alone: when those are a small part of a large journal, they are checked
/// in a journal of their own, as the first `add` to a journal indexes every
/// id it holds (a second per million records).
void check_addable(Journal& journal, const Record& record) {
  const std::string& participant =
      std::visit([](const auto& r) -> const std::string& { return r.participant; }, record);
  RecordSet mine;
  auto take = [](auto view, auto& out) {
    out.reserve(view.size());
    for (auto r : view) out.push_back(std::move(r));
  };
  std::size_t n = 0;
  for (const std::size_t m :
       {journal.triggers_of(participant).size(), journal.readings_of(participant).size(),
        journal.exercises_of(participant).size(), journal.thought_records_of(participant).size(),
        journal.assessments_of(participant).size()})
    n += m;
  if (n > journal.size() / 4) {
    journal.add(record);
    return;
  }
  take(journal.triggers_of(participant), mine.triggers);
  take(journal.readings_of(participant), mine.readings);
  take(journal.exercises_of(participant), mine.exercises);
  take(journal.thought_records_of(participant), mine.thought_records);
  take(journal.assessments_of(participant), mine.assessments);
  Journal(mine, trusted).add(record);
}

/// The key that says a changed record takes a removed one's place: its type,
/// participant and id; for a record without an id (a reading may have
/// none), its type, participant and time (instant and offset), which are
/// what the journal tells such records apart by.
template <class R>
std::string place_key(const R& r) {
  std::string k;
  if (!r.id.empty()) {
    k += static_cast<char>('0' + type_index<R>);
    k += scoped_key(r.participant, r.id);
  } else {
    k += static_cast<char>('a' + type_index<R>);
    k += scoped_key(r.participant, r.time.to_string());
  }
  return k;
}

/// What a change did to a journal's records: by record type
/// (`detail::type_index`), the rows of the journal before it that are not
/// in the journal after it as they were (removed or changed), and the rows
/// of the journal after it that were not in the one before (added or
/// changed), each ascending.
struct Changes {
  std::array<std::vector<std::size_t>, 5> gone;
  std::array<std::vector<std::size_t>, 5> fresh;
  [[nodiscard]] bool none_gone() const noexcept {
    return std::all_of(gone.begin(), gone.end(), [](const auto& g) { return g.empty(); });
  }
  [[nodiscard]] bool none() const noexcept {
    return none_gone() && std::all_of(fresh.begin(), fresh.end(), [](const auto& f) { return f.empty(); });
  }
};

/// Compares the rows of record type R of `before` and `after` and notes in
/// `changes` those of one that the other does not hold as they are. Both
/// journals keep their rows ordered by (participant, time, offset, id), so
/// one walk over both pairs the rows with equal keys, and only those are
/// compared field by field, each loaded once into a reused record: no JSON
/// is written or parsed, and an unchanged journal of a million rows costs a
/// fraction of a second. `rank_before` / `rank_after`: each journal's
/// participant codes as ranks in the union of both journals' participants.
template <class R>
void compare_rows(const Journal& before, const Journal& after, const std::vector<std::uint32_t>& rank_before,
                  const std::vector<std::uint32_t>& rank_after, Changes& changes) {
  constexpr std::size_t type = type_index<R>;
  const Tables& b = before.storage();
  const Tables& a = after.storage();
  const auto& bp = participant_column<R>(b.c);
  const auto& ap = participant_column<R>(a.c);
  const auto& bt = utc_column<R>(b.c);
  const auto& at = utc_column<R>(a.c);
  const auto& bo = offset_column<R>(b.c);
  const auto& ao = offset_column<R>(a.c);
  const TextColumn& bid = id_column<R>(b);
  const TextColumn& aid = id_column<R>(a);
  // <0, 0, >0 as before's row i orders before, with, after after's row j.
  auto order = [&](std::size_t i, std::size_t j) -> int {
    const auto ri = rank_before[static_cast<std::size_t>(bp[i])];
    const auto rj = rank_after[static_cast<std::size_t>(ap[j])];
    if (ri != rj) return ri < rj ? -1 : 1;
    if (bt[i] != at[j]) return bt[i] < at[j] ? -1 : 1;
    if (bo[i] != ao[j]) return bo[i] < ao[j] ? -1 : 1;
    return bid[i].compare(aid[j]);
  };
  auto same_key_before = [&](std::size_t i, std::size_t k) {
    return bp[i] == bp[k] && bt[i] == bt[k] && bo[i] == bo[k] && bid[i] == bid[k];
  };
  auto same_key_after = [&](std::size_t j, std::size_t k) {
    return ap[j] == ap[k] && at[j] == at[k] && ao[j] == ao[k] && aid[j] == aid[k];
  };
  auto& gone = changes.gone[type];
  auto& fresh = changes.fresh[type];
  const std::size_t nb = bt.size();
  const std::size_t na = at.size();
  R x, y;
  constexpr std::size_t small_tie = 16;  // up to this many rows a side, a tie is paired by scans
  std::vector<std::size_t> left;         // rows of `after` in a small tie not yet paired
  std::size_t i = 0, j = 0;
  while (i < nb && j < na) {
    const int c = order(i, j);
    if (c < 0) {
      gone.push_back(i++);
      continue;
    }
    if (c > 0) {
      fresh.push_back(j++);
      continue;
    }
    // The rows with this key on each side: one each, but for records without
    // an id at the same time (readings), which are paired by value.
    std::size_t i2 = i + 1, j2 = j + 1;
    while (i2 < nb && same_key_before(i, i2)) ++i2;
    while (j2 < na && same_key_after(j, j2)) ++j2;
    if (i2 - i == 1 && j2 - j == 1) {
      before.load(i, x);
      after.load(j, y);
      if (!(x == y)) {
        gone.push_back(i);
        fresh.push_back(j);
      }
      i = i2;
      j = j2;
      continue;
    }
    if (i2 - i <= small_tie && j2 - j <= small_tie) {
      left.clear();
      for (std::size_t k = j; k < j2; ++k) left.push_back(k);
      for (; i < i2; ++i) {
        before.load(i, x);
        bool paired = false;
        for (auto it = left.begin(); it != left.end(); ++it) {
          after.load(*it, y);
          if (x == y) {
            left.erase(it);
            paired = true;
            break;
          }
        }
        if (!paired) gone.push_back(i);
      }
      fresh.insert(fresh.end(), left.begin(), left.end());
    } else {
      // A large tie, perhaps in another order than the file's: pairing by a
      // scan per row would cost the square of its size, so the rows are
      // paired through a hash table of their text (equal text, equal record;
      // both sides hold the same participant, time and offset), each with
      // the first row of `after` not yet paired, as the scan does.
      std::unordered_map<std::string, std::vector<std::size_t>, KeyedHash> unpaired;
      std::string text;
      for (std::size_t k = j2; k-- > j;) {  // descending: each list's back is its first row
        after.load(k, y);
        text.clear();
        append(text, y);
        unpaired[text].push_back(k);
      }
      for (; i < i2; ++i) {
        before.load(i, x);
        text.clear();
        append(text, x);
        const auto p = unpaired.find(text);
        if (p != unpaired.end() && !p->second.empty()) {
          p->second.pop_back();
        } else {
          gone.push_back(i);
        }
      }
      for (const auto& [t, rows] : unpaired) fresh.insert(fresh.end(), rows.begin(), rows.end());
    }
    j = j2;
  }
  for (; i < nb; ++i) gone.push_back(i);
  for (; j < na; ++j) fresh.push_back(j);
  std::sort(fresh.begin(), fresh.end());  // a tie's unpaired rows came after later ones
}

/// What `change` did: every record type's rows compared (`compare_rows`).
Changes changes_between(const Journal& before, const Journal& after) {
  // The participants of both, sorted: each journal's codes as ranks in their union.
  const auto& pb = before.columns().participants;
  const auto& pa = after.columns().participants;
  std::vector<std::uint32_t> rank_before(pb.size()), rank_after(pa.size());
  std::uint32_t rank = 0;
  for (std::size_t i = 0, j = 0; i < pb.size() || j < pa.size(); ++rank) {
    if (j == pa.size() || (i < pb.size() && pb[i] < pa[j])) {
      rank_before[i++] = rank;
    } else if (i == pb.size() || pa[j] < pb[i]) {
      rank_after[j++] = rank;
    } else {
      rank_before[i++] = rank;
      rank_after[j++] = rank;
    }
  }
  Changes changes;
  compare_rows<Trigger>(before, after, rank_before, rank_after, changes);
  compare_rows<Reading>(before, after, rank_before, rank_after, changes);
  compare_rows<ExerciseSession>(before, after, rank_before, rank_after, changes);
  compare_rows<ThoughtRecord>(before, after, rank_before, rank_after, changes);
  compare_rows<Assessment>(before, after, rank_before, rank_after, changes);
  return changes;
}

/// Calls `f(record)` for each of `rows` of record type R of `j`, as a value.
template <class R, class F>
void each_row(const Journal& j, const std::vector<std::size_t>& rows, F&& f) {
  R r;
  for (const std::size_t row : rows) {
    j.load(row, r);
    f(r);
  }
}

/// Calls `f(record)` for the rows of each record type in `rows` (by
/// `type_index`), type by type in journal order.
template <class F>
void each_row(const Journal& j, const std::array<std::vector<std::size_t>, 5>& rows, F&& f) {
  each_row<Trigger>(j, rows[0], f);
  each_row<Reading>(j, rows[1], f);
  each_row<ExerciseSession>(j, rows[2], f);
  each_row<ThoughtRecord>(j, rows[3], f);
  each_row<Assessment>(j, rows[4], f);
}

/// What tells the bytes of one read of a journal file from another's: their
/// size and keyed hash (`hash_bytes` under the process's secret key, so no
/// one can make other bytes match).
struct BytesStamp {
  std::size_t size = 0;
  std::uint64_t hash = 0;
  explicit BytesStamp(std::string_view bytes) : size(bytes.size()), hash(hash_bytes(bytes, 0, hash_key())) {}
  friend bool operator==(const BytesStamp&, const BytesStamp&) = default;
};

/// Refuses an update whose journal `given` a program that does not take its
/// lock wrote while `change` ran: writing over it would lose what it wrote.
/// @throws FileError (EBUSY), always.
[[noreturn]] void file_changed(const std::filesystem::path& given) {
  io_error("cannot update journal", given, EBUSY,
           "the file changed while the change ran (a program wrote it without taking its lock); "
           "nothing was written");
}

/// The bytes of `target` read again (`FileBytes::read`) for the write of a
/// change, when they are `stamp`'s: update_journal does not hold a large
/// file's bytes next to two journals while `change` runs. Other bytes (a
/// program that does not take the journal's lock wrote it meanwhile) are
/// refused: writing them over would lose what it wrote.
/// @throws FileError (EBUSY) when the file changed.
FileBytes read_again(const std::filesystem::path& target, const std::filesystem::path& given,
                     const ReadOptions& options, const BytesStamp& stamp) {
  auto bytes = FileBytes::read(target, given, options);
  if (!bytes || !(BytesStamp(bytes->text()) == stamp)) file_changed(given);
  return std::move(*bytes);
}

/// Writes the file `old` (whose records, read strictly, were at the lines
/// `lines`; `gone_places`: the `place_key` of each of them that `changes`
/// says is gone, in `changes.gone`'s order) after the records became
/// `after` (`changes`): every
/// line of a record that `after` holds as it was, and every line that is no
/// record (the header, blank lines, a byte-order mark), kept byte for byte
/// in its place; a record gone from `after` loses its line; a record of
/// `after` that is new takes the place of a removed line with its
/// `place_key` (type, participant and id, or time for a record without an
/// id; records without an id at one time paired in journal order: a changed
/// record, its line end kept) or is added at the end, in journal order
/// (ended as the first line is). Only the new lines are written by
/// `to_json`; the kept ones are copied in runs.
void write_merged(const std::filesystem::path& target, const std::filesystem::path& given,
                  std::string_view old, const std::vector<std::string>& gone_places, const RecordLines& lines,
                  const Journal& after, const Changes& changes, const ReadOptions& read_options) {
  // The lines that go, and what takes the place of some: its line, and the
  // changed record's type, text (calmkit's form; none: the line goes) and name.
  struct Edit {
    std::size_t line;
    std::size_t type;
    std::optional<std::string> json;
    std::string what;
  };
  std::vector<Edit> edits;
  // place key -> the indices in `edits` of the removed records with it (in
  // journal order) and the first of them not taken yet
  struct Places {
    std::vector<std::size_t> edits;
    std::size_t next = 0;
  };
  std::unordered_map<std::string, Places, KeyedHash> places;
  for (std::size_t type = 0; type < 5; ++type) {
    for (const std::size_t row : changes.gone[type])
      edits.push_back({lines.of[type][row], type, std::nullopt, {}});
  }
  // Each removed record leaves a place (its edit) for a changed one.
  for (std::size_t e = 0; e < gone_places.size(); ++e) places[gone_places[e]].edits.push_back(e);
  std::vector<std::string> tail;
  std::vector<std::string> tail_what;
  each_row(after, changes.fresh, [&](const auto& r) {
    std::string json = to_json(Record(r));
    const auto p = places.find(place_key(r));
    if (p != places.end()) {
      // The first place left: records without an id at one time pair in journal order.
      Places& free = p->second;
      Edit& edit = edits[free.edits[free.next++]];
      edit.json = std::move(json);
      edit.what = describe_record(r);
      if (free.next == free.edits.size()) places.erase(p);
      return;
    }
    tail.push_back(std::move(json));
    tail_what.push_back(describe_record(r));
  });
  std::sort(edits.begin(), edits.end(), [](const auto& x, const auto& y) { return x.line < y.line; });
  // The new lines at the end: after every line kept or changed.
  for (std::size_t k = 0; k < tail.size(); ++k) {
    check_line_length(
        tail[k], read_options, given,
        [&] {
          const auto dropped = static_cast<std::size_t>(
              std::count_if(edits.begin(), edits.end(), [](const Edit& d) { return !d.json; }));
          const std::string_view text = old.starts_with("\xEF\xBB\xBF") ? old.substr(3) : old;
          return line_count(text) - dropped + k + 1;
        },
        [&] { return tail_what[k]; });
  }

  const std::string_view eol = line_end_of(old);
  write_file(target, [&](const ByteSink& sink) {
    Output out(sink);
    std::string_view text = old;
    if (text.starts_with("\xEF\xBB\xBF")) {  // line 1 starts after it; kept whatever happens to line 1
      out.put(text.substr(0, 3));
      text.remove_prefix(3);
    }
    std::size_t pos = 0;   // the start of line `line` in `text`
    std::size_t line = 1;  // 1-based, as the reader counts
    auto line_end = [&](std::size_t from) {
      const void* nl = std::memchr(text.data() + from, '\n', text.size() - from);
      return nl == nullptr ? text.size()
                           : static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1;
    };
    std::size_t kept_from = 0;  // the start of the run of kept lines not written yet
    for (const auto& edit : edits) {
      while (line < edit.line && pos < text.size()) {
        pos = line_end(pos);
        ++line;
      }
      out.put(text.substr(kept_from, pos - kept_from));
      const std::size_t next = line_end(pos);
      if (edit.json) {
        // The line's own end: LF, CRLF, or none for a last line without one.
        std::size_t body = next;
        if (body > pos && text[body - 1] == '\n') --body;
        if (body > pos && text[body - 1] == '\r') --body;
        // The changed record keeps the old line's fields calmkit does not know.
        const std::string json = keep_unknown_fields(edit.type, *edit.json, text.substr(pos, body - pos));
        check_line_length(
            json, read_options, given, [&] { return line; }, [&] { return edit.what; });
        out.put(json);
        out.put(text.substr(body, next - body));
      }
      pos = next;
      ++line;
      kept_from = pos;
    }
    out.put(text.substr(kept_from));
    if (!tail.empty() && !out.at_line_start()) out.put(eol);
    for (const auto& t : tail) {
      out.put(t);
      out.put(eol);
    }
    out.flush();
  });
}

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------------------
// Public API

void write_journal(const Journal& journal, std::ostream& out, const WriteOptions& options) {
  detail::write_all(journal, options, [&out](const char* p, std::size_t n) {
    out.write(p, static_cast<std::streamsize>(n));
    if (!out) detail::throw_runtime("cannot write journal: the output stream failed");
  });
}

void write_journal(const Journal& journal, const std::filesystem::path& path, const WriteOptions& options) {
  write_file(path, [&](const ByteSink& out) { detail::write_all(journal, options, out); });
}

void update_journal(const std::filesystem::path& path, const std::function<void(Journal&)>& change,
                    const WriteOptions& options, ReadOptions read_options) {
  const auto target = resolve_write_target(path);
  const FileLock lock(target);
  auto old = detail::FileBytes::read(target, path, read_options);
  Journal before;
  detail::RecordLines lines;
  if (old) before = detail::parse_padded_journal(old->text(), read_options, path.string(), &lines).journal;
  if (!old || old->text().empty()) {
    const bool existed = old.has_value();
    old.reset();
    change(before);
    // Still absent, or still empty: a program that does not take the lock may
    // have written the file while `change` ran (B270), as `read_again` checks.
    const auto again = detail::FileBytes::read(target, path, read_options);
    if (again.has_value() != existed || (again && !again->text().empty())) detail::file_changed(path);
    write_file(target, [&](const ByteSink& out) {
      detail::write_all(before, options, out, read_options.max_line_bytes, path);
    });
    return;
  }
  // The bytes are let go while `change` runs and read again for the write
  // (`read_again`): at most the file's bytes and one journal, or two
  // journals, are held at once, not the bytes and two journals.
  const detail::BytesStamp stamp(old->text());
  old.reset();
  Journal after = before;  // same revision: unchanged while `change` adds nothing
  change(after);
  if (after.revision() == before.revision()) return;  // nothing changed: the file is not written
  const detail::Changes changes = detail::changes_between(before, after);
  if (changes.none()) return;  // the same records: the file is not written
  if (changes.none_gone()) {   // only additions: the old bytes, then the new lines
    before = Journal{};
    std::vector<std::string> added;
    std::vector<std::string> what;
    detail::each_row(after, changes.fresh, [&](const auto& r) {
      added.push_back(to_json(Record(r)));
      what.push_back(describe_record(r));
    });
    const auto again = detail::read_again(target, path, read_options, stamp);
    detail::write_appended(target, path, again.text(), added, what, options, read_options);
    return;
  }
  std::vector<std::string> gone_places;
  detail::each_row(before, changes.gone, [&](const auto& r) { gone_places.push_back(detail::place_key(r)); });
  before = Journal{};
  const auto again = detail::read_again(target, path, read_options, stamp);
  detail::write_merged(target, path, again.text(), gone_places, lines, after, changes, read_options);
}

void append_records(const std::filesystem::path& path, const std::vector<RecordMaker>& makers,
                    const WriteOptions& options, ReadOptions read_options) {
  if (makers.empty()) return;
  const auto target = resolve_write_target(path);
  const FileLock lock(target);
  const auto old = detail::FileBytes::read(target, path, read_options);
  Journal journal;
  if (old) journal = detail::parse_padded_journal(old->text(), read_options, path.string()).journal;
  std::vector<std::string> lines;
  std::vector<std::string> what;
  lines.reserve(makers.size());
  what.reserve(makers.size());
  for (std::size_t k = 0; k < makers.size(); ++k) {
    const Record record = makers[k](journal);
    // A duplicate id or a trigger that is not there: RecordError, nothing written.
    if (k + 1 < makers.size()) {
      journal.add(record);  // the next makers see it
    } else {
      detail::check_addable(journal, record);
    }
    lines.push_back(to_json(record));
    what.push_back(detail::describe(record));
  }
  detail::write_appended(target, path, old ? old->text() : std::string_view(), lines, what, options,
                         read_options);
}

void append_records(const std::filesystem::path& path, const std::vector<Record>& records,
                    const WriteOptions& options, ReadOptions read_options) {
  std::vector<RecordMaker> makers;
  makers.reserve(records.size());
  for (const auto& r : records) makers.emplace_back([&r](const Journal&) { return r; });
  append_records(path, makers, options, read_options);
}

void append_record(const std::filesystem::path& path, Record record, const WriteOptions& options) {
  append_records(path, {[&record](const Journal&) { return record; }}, options);
}

std::string to_jsonl(const Journal& journal, const WriteOptions& options) {
  std::string out;
  detail::write_all(journal, options, [&out](const char* p, std::size_t n) { out.append(p, n); });
  return out;
}

std::string to_json(const Record& record) {
  std::string out;
  std::visit([&out](const auto& r) { detail::append_checked(out, r); }, record);
  return out;
}

}  // namespace calmkit
