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

/// Writes the whole journal through `sink(const char*, size_t)` in chunks of
/// about 1 MiB.
template <class Sink>
void write_all(const Journal& journal, const WriteOptions& options, Sink&& sink) {
  constexpr std::size_t chunk = std::size_t{1} << 20;
  std::string buf;
  buf.reserve(chunk + 4096);
  if (options.header) {
    buf += "{\"type\":\"header\",\"format\":\"calmkit-journal\"";
    put_int(buf, "version", journal_format_version);
    put_opt_string(buf, "generator", options.generator);
    buf += "}\n";
    if (auto bad = rules::utf8_text("generator", options.generator)) {
      throw_record("cannot write the header", std::move(*bad));
    }
  }
  auto each = [&](auto records) {
    // One scratch record, refilled from the journal's columns row by row.
    typename decltype(records)::value_type r;
    for (std::size_t row = records.first_row(); row < records.end_row(); ++row) {
      journal.load(row, r);
      append_checked(buf, r);
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

/// The bytes of the journal file `target` (link-resolved), read once; nullopt
/// when it does not exist. `given` names it in messages. Only a regular file
/// is read (a FIFO would block, and `write_file` would refuse it anyway);
/// `options.max_bytes` as `read_journal`.
std::optional<std::string> read_journal_bytes(const std::filesystem::path& target,
                                              const std::filesystem::path& given,
                                              const ReadOptions& options) {
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
    io_error("cannot read journal", given, EFBIG,
             "the file holds " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                 std::to_string(limit) + " bytes (ReadOptions::max_bytes; max_bytes= in Python)");
  }
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t have = 0;
  for (;;) {
    if (have == bytes.size()) bytes.resize(have + (have / 2) + 4096);  // the file grew: read on to its end
    const ssize_t n = ::read(fd, bytes.data() + have, bytes.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_error("cannot read journal", given, errno);
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
    if (limit > 0 && have > limit) {
      io_error("cannot read journal", given, EFBIG,
               "it is a file that grew to more than the limit of " + std::to_string(limit) +
                   " bytes (ReadOptions::max_bytes; max_bytes= in Python)");
    }
  }
  bytes.resize(have);
  return bytes;
}

/// The line end of `old`'s first line: CRLF or LF.
std::string_view line_end_of(std::string_view old) noexcept {
  const auto nl = old.find('\n');
  return nl != std::string_view::npos && nl > 0 && old[nl - 1] == '\r' ? "\r\n" : "\n";
}

/// `old` byte for byte, then `lines`: after a line break when `old` does not
/// end with one, each ended as `old`'s first line is. An empty `old` (no file
/// yet, or an empty one): the header line first (`options`) and LF ends.
std::string appended(std::string_view old, const std::vector<std::string>& lines,
                     const WriteOptions& options) {
  std::string out;
  std::string_view eol = "\n";
  if (old.empty()) {
    write_all(Journal{}, options, [&out](const char* p, std::size_t n) { out.append(p, n); });
  } else {
    eol = line_end_of(old);
    out.reserve(old.size() + eol.size() + lines.size() * 160);
    out.append(old);
    if (out.back() != '\n') out.append(eol);
  }
  for (const auto& line : lines) {
    out.append(line);
    out.append(eol);
  }
  return out;
}

/// The key that finds a record's row from its line: type, participant, id
/// and UTC time. Rows with one key keep their line order (the reader's sort
/// is stable), so the k-th line with a key is the k-th row with it.
std::string line_key(std::size_t type, std::string_view participant, std::string_view id,
                     std::int64_t utc_us) {
  std::string k;
  k.reserve(participant.size() + id.size() + 11);
  k += static_cast<char>('0' + type);
  k += participant;
  k += '\x1f';
  k += id;
  k += '\x1f';
  k.append(reinterpret_cast<const char*>(&utc_us), sizeof utc_us);
  return k;
}

/// The key that says a changed record takes a removed one's place: type,
/// participant and a non-empty id.
std::string place_key(std::size_t type, std::string_view participant, std::string_view id) {
  std::string k;
  k += static_cast<char>('0' + type);
  k += scoped_key(participant, id);
  return k;
}

/// Calls `f(record)` for every record of `j` as a value, type by type in journal order.
template <class F>
void each_record(const Journal& j, F&& f) {
  auto one = [&](auto view) {
    typename decltype(view)::value_type r;
    for (std::size_t row = view.first_row(); row < view.end_row(); ++row) {
      j.load(row, r);
      f(r);
    }
  };
  one(j.triggers());
  one(j.readings());
  one(j.exercises());
  one(j.thought_records());
  one(j.assessments());
}

/// The record type index of a line's `type`, or nullopt for the header or a type no record has.
std::optional<std::size_t> type_of_line(std::string_view type) noexcept {
  if (type == "trigger") return 0;
  if (type == "reading") return 1;
  if (type == "exercise") return 2;
  if (type == "thought_record") return 3;
  if (type == "assessment") return 4;
  return std::nullopt;
}

/// The records `change` added, as lines in calmkit's form in journal order,
/// when it only added: `before`'s rows of each type are then a subsequence
/// of `after`'s (adding keeps the other rows' order). nullopt otherwise. One
/// load and compare per row, no line of the file parsed: the common case of
/// `update_journal` costs about what the read did.
std::optional<std::vector<std::string>> added_only(const Journal& before, const Journal& after) {
  std::vector<std::string> lines;
  bool ok = true;
  auto one = [&](auto bview, auto aview) {
    if (!ok) return;
    typename decltype(bview)::value_type b;
    typename decltype(bview)::value_type a;
    std::size_t i = bview.first_row();
    const std::size_t end = bview.end_row();
    if (i < end) before.load(i, b);
    for (std::size_t row = aview.first_row(); row < aview.end_row(); ++row) {
      after.load(row, a);
      if (i < end && a == b) {
        if (++i < end) before.load(i, b);
      } else {
        lines.push_back(to_json(Record(a)));
      }
    }
    ok = i == end;
  };
  one(before.triggers(), after.triggers());
  one(before.readings(), after.readings());
  one(before.exercises(), after.exercises());
  one(before.thought_records(), after.thought_records());
  one(before.assessments(), after.assessments());
  if (!ok) return std::nullopt;
  return lines;
}

/// The file `old` (whose records, read strictly, are `before`) after the
/// records became `after`: every line of a record that is in `after` as it
/// was (the same `to_json`) kept byte for byte in its place, other lines that
/// are no record (the header, blank lines) kept too; a record gone from
/// `after` loses its line; a record of `after` that is new takes the place of
/// a removed line with its type, participant and non-empty id (a changed
/// record) or is added at the end, in journal order; new lines are written
/// by `to_json` and ended as the first line is. nullopt when the lines do
/// not match `before`'s records one to one (never for a strict read: the
/// caller then writes the journal whole).
std::optional<std::string> merged(std::string_view old, const Journal& before, const Journal& after) {
  // What `after` holds, by its line in calmkit's form: to_json -> how many.
  std::unordered_map<std::string, std::uint32_t, KeyedHash> wanted;
  each_record(after, [&](const auto& r) { ++wanted[to_json(Record(r))]; });

  // Each of `before`'s rows by its line key, in row order.
  struct Rows {
    std::vector<std::pair<std::size_t, std::size_t>> rows;  // (type, row)
    std::size_t next = 0;
  };
  std::unordered_map<std::string, Rows, KeyedHash> rows_of;
  auto index = [&](auto view) {
    using R = typename decltype(view)::value_type;
    R r;
    for (std::size_t row = view.first_row(); row < view.end_row(); ++row) {
      before.load(row, r);
      rows_of[line_key(type_index<R>, r.participant, r.id, r.time.utc_us())].rows.emplace_back(type_index<R>,
                                                                                               row);
    }
  };
  index(before.triggers());
  index(before.readings());
  index(before.exercises());
  index(before.thought_records());
  index(before.assessments());

  auto json_of_row = [&](std::size_t type, std::size_t row) -> std::string {
    switch (type) {
      case 0: return to_json(Record(before.trigger(row)));
      case 1: return to_json(Record(before.reading(row)));
      case 2: return to_json(Record(before.exercise(row)));
      case 3: return to_json(Record(before.thought_record(row)));
      default: return to_json(Record(before.assessment(row)));
    }
  };

  const std::string_view eol = line_end_of(old);
  std::string_view bom;
  if (old.starts_with("\xEF\xBB\xBF")) {
    bom = old.substr(0, 3);
    old.remove_prefix(3);
  }
  // The output as pieces: a kept line (a view into `old`) or a new one.
  std::vector<std::string_view> pieces;
  std::vector<std::string> fresh;                                  // new lines, with their line end
  std::unordered_map<std::string, std::size_t, KeyedHash> places;  // place key -> piece of a removed line
  std::size_t matched = 0;
  simdjson::dom::parser parser;
  std::size_t at = 0;
  while (at < old.size()) {
    auto nl = old.find('\n', at);
    const std::size_t stop = nl == std::string_view::npos ? old.size() : nl + 1;
    const std::string_view line = old.substr(at, stop - at);
    at = stop;
    std::string_view text = line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    const bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    std::optional<std::size_t> type;
    simdjson::dom::object obj;
    if (!blank && parser.parse(text.data(), text.size()).get_object().get(obj) == simdjson::SUCCESS) {
      std::string_view t;
      if (obj["type"].get_string().get(t) == simdjson::SUCCESS) type = type_of_line(t);
    }
    if (!type) {  // the header, a blank line: kept
      pieces.push_back(line);
      continue;
    }
    std::string_view participant;
    std::string_view id;
    std::string_view time;
    if (obj["participant"].get_string().get(participant) != simdjson::SUCCESS) participant = {};
    if (obj["id"].get_string().get(id) != simdjson::SUCCESS) id = {};
    if (obj["time"].get_string().get(time) != simdjson::SUCCESS) return std::nullopt;
    const auto when = Instant::try_parse(time);
    if (!when) return std::nullopt;
    const auto found = rows_of.find(line_key(*type, participant, id, when->utc_us()));
    if (found == rows_of.end() || found->second.next == found->second.rows.size()) return std::nullopt;
    const auto [rtype, row] = found->second.rows[found->second.next++];
    ++matched;
    const auto kept = wanted.find(json_of_row(rtype, row));
    if (kept != wanted.end() && kept->second > 0) {
      --kept->second;
      pieces.push_back(line);
      continue;
    }
    // Removed or changed: its place waits for a record of `after` with its key.
    if (!id.empty()) places.emplace(place_key(*type, participant, id), pieces.size());
    pieces.emplace_back();  // an empty piece: the line is gone unless a changed record takes it
  }
  if (matched != before.size()) return std::nullopt;

  // The records of `after` no kept line holds, in journal order.
  std::vector<std::pair<std::size_t, std::string>> placed;  // (piece, line)
  std::vector<std::string> tail;
  auto add = [&](const auto& r) {
    using R = std::decay_t<decltype(r)>;
    std::string json = to_json(Record(r));
    const auto w = wanted.find(json);
    if (w == wanted.end() || w->second == 0) return;  // a kept line holds it
    --w->second;
    json.append(eol);
    if (!r.id.empty()) {
      const auto p = places.find(place_key(type_index<R>, r.participant, r.id));
      if (p != places.end()) {
        placed.emplace_back(p->second, std::move(json));
        places.erase(p);
        return;
      }
    }
    tail.push_back(std::move(json));
  };
  each_record(after, add);
  fresh.reserve(placed.size());
  for (auto& [piece, line] : placed) {
    fresh.push_back(std::move(line));
    pieces[piece] = fresh.back();  // `fresh` was reserved: the views stay valid
  }

  std::string out;
  out.reserve(bom.size() + old.size() + 160 * tail.size());
  out.append(bom);
  for (const auto& piece : pieces) {
    if (piece.empty()) continue;
    if (!out.empty() && out.size() > bom.size() && out.back() != '\n')
      out.append(eol);  // a replaced last line
    out.append(piece);
  }
  if (!tail.empty() && out.size() > bom.size() && out.back() != '\n') out.append(eol);
  for (const auto& line : tail) out.append(line);
  return out;
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
  read_options.lenient = false;  // a lenient read would drop the bad lines
  const auto target = resolve_write_target(path);
  const FileLock lock(target);
  const auto old = detail::read_journal_bytes(target, path, read_options);
  Journal before;
  if (old) before = parse_journal_with_report(*old, read_options, path.string()).journal;
  Journal after = before;  // same revision: unchanged while `change` adds nothing
  change(after);
  if (!old || old->empty()) {
    write_journal(after, target, options);
    return;
  }
  if (after.revision() == before.revision()) return;  // nothing changed: the file is not written
  if (const auto added = detail::added_only(before, after)) {
    write_file(target, detail::appended(*old, *added, options));  // the old bytes, then the new lines
  } else if (auto merged = detail::merged(*old, before, after)) {
    write_file(target, *merged);
  } else {
    write_journal(after, target, options);  // lines that no record matched: never for a strict read
  }
}

void append_records(const std::filesystem::path& path, const std::vector<RecordMaker>& makers,
                    const WriteOptions& options, ReadOptions read_options) {
  if (makers.empty()) return;
  read_options.lenient = false;
  const auto target = resolve_write_target(path);
  const FileLock lock(target);
  const auto old = detail::read_journal_bytes(target, path, read_options);
  Journal journal;
  if (old) journal = parse_journal_with_report(*old, read_options, path.string()).journal;
  std::vector<std::string> lines;
  lines.reserve(makers.size());
  for (const auto& make : makers) {
    const Record record = make(journal);
    journal.add(record);  // a duplicate id or a trigger that is not there: RecordError, nothing written
    lines.push_back(to_json(record));
  }
  write_file(target, detail::appended(old ? *old : std::string(), lines, options));
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
