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
#include "io_read_padded.hpp"
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

/// A journal file's bytes, read once, with simdjson's padding after them:
/// the reader parses them where they are (`parse_padded_journal`), and the
/// lines a change keeps are written from them.
class FileBytes {
 public:
  [[nodiscard]] std::string_view text() const noexcept { return {data_.get(), size_}; }

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
      io_error("cannot read journal", given, EFBIG,
               "the file holds " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                   std::to_string(limit) + " bytes (ReadOptions::max_bytes; max_bytes= in Python)");
    }
    FileBytes b;
    // One byte more than the file holds: a read that fills it saw the file grow.
    b.reserve(static_cast<std::size_t>(st.st_size) + 1);
    for (;;) {
      if (b.size_ == b.capacity_) b.reserve(b.capacity_ + b.capacity_ / 2 + 4096);  // read on to its end
      const ssize_t n = ::read(fd, b.data_.get() + b.size_, b.capacity_ - b.size_);
      if (n < 0) {
        if (errno == EINTR) continue;
        io_error("cannot read journal", given, errno);
      }
      if (n == 0) break;
      b.size_ += static_cast<std::size_t>(n);
      if (limit > 0 && b.size_ > limit) {
        io_error("cannot read journal", given, EFBIG,
                 "it is a file that grew to more than the limit of " + std::to_string(limit) +
                     " bytes (ReadOptions::max_bytes; max_bytes= in Python)");
      }
    }
    // The padding is read by the parser; its bytes are set so that nothing
    // reads memory never written.
    std::memset(b.data_.get() + b.size_, 0, b.capacity_ - b.size_ + simdjson::SIMDJSON_PADDING);
    return b;
  }

 private:
  /// Room for `capacity` bytes and the padding, the bytes held kept; the
  /// new room is not zeroed (the file's bytes go there).
  void reserve(std::size_t capacity) {
    std::unique_ptr<char[]> more(new char[capacity + simdjson::SIMDJSON_PADDING]);
    if (size_ > 0) std::memcpy(more.get(), data_.get(), size_);
    data_ = std::move(more);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

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
/// and LF ends.
void write_appended(const std::filesystem::path& target, std::string_view old,
                    const std::vector<std::string>& lines, const WriteOptions& options) {
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

/// The key that says a changed record takes a removed one's place: type,
/// participant and a non-empty id.
std::string place_key(std::size_t type, std::string_view participant, std::string_view id) {
  std::string k;
  k += static_cast<char>('0' + type);
  k += scoped_key(participant, id);
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
  std::vector<std::size_t> left;  // rows of `after` in a tie not yet paired
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

/// Writes the file `old` (whose records, read strictly, are `before`, at
/// the lines `lines`) after the records became `after` (`changes`): every
/// line of a record that `after` holds as it was, and every line that is no
/// record (the header, blank lines, a byte-order mark), kept byte for byte
/// in its place; a record gone from `after` loses its line; a record of
/// `after` that is new takes the place of a removed line with its type,
/// participant and non-empty id (a changed record: its line end kept) or is
/// added at the end, in journal order (ended as the first line is). Only
/// the new lines are written by `to_json`; the kept ones are copied in runs.
void write_merged(const std::filesystem::path& target, std::string_view old, const Journal& before,
                  const RecordLines& lines, const Journal& after, const Changes& changes) {
  // The lines that go, and what takes the place of some: (line, new text or none).
  std::vector<std::pair<std::size_t, std::optional<std::string>>> edits;
  std::unordered_map<std::string, std::size_t, KeyedHash> places;  // place key -> index in `edits`
  for (std::size_t type = 0; type < 5; ++type) {
    for (const std::size_t row : changes.gone[type]) edits.emplace_back(lines.of[type][row], std::nullopt);
  }
  // Each removed record with an id leaves a place (its edit) for a changed one.
  std::size_t e = 0;
  each_row(before, changes.gone, [&](const auto& r) {
    using R = std::decay_t<decltype(r)>;
    if (!r.id.empty()) places.emplace(place_key(type_index<R>, r.participant, r.id), e);
    ++e;
  });
  std::vector<std::string> tail;
  each_row(after, changes.fresh, [&](const auto& r) {
    using R = std::decay_t<decltype(r)>;
    std::string json = to_json(Record(r));
    if (!r.id.empty()) {
      const auto p = places.find(place_key(type_index<R>, r.participant, r.id));
      if (p != places.end()) {
        edits[p->second].second = std::move(json);
        places.erase(p);
        return;
      }
    }
    tail.push_back(std::move(json));
  });
  std::sort(edits.begin(), edits.end(), [](const auto& x, const auto& y) { return x.first < y.first; });

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
    for (const auto& [at, replacement] : edits) {
      while (line < at && pos < text.size()) {
        pos = line_end(pos);
        ++line;
      }
      out.put(text.substr(kept_from, pos - kept_from));
      const std::size_t next = line_end(pos);
      if (replacement) {
        out.put(*replacement);
        // The line's own end: LF, CRLF, or none for a last line without one.
        std::size_t body = next;
        if (body > pos && text[body - 1] == '\n') --body;
        if (body > pos && text[body - 1] == '\r') --body;
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
  const auto old = detail::FileBytes::read(target, path, read_options);
  Journal before;
  detail::RecordLines lines;
  if (old) before = detail::parse_padded_journal(old->text(), read_options, path.string(), &lines).journal;
  Journal after = before;  // same revision: unchanged while `change` adds nothing
  change(after);
  if (!old || old->text().empty()) {
    write_journal(after, target, options);
    return;
  }
  if (after.revision() == before.revision()) return;  // nothing changed: the file is not written
  const detail::Changes changes = detail::changes_between(before, after);
  if (changes.none()) return;  // the same records: the file is not written
  if (changes.none_gone()) {   // only additions: the old bytes, then the new lines
    std::vector<std::string> added;
    detail::each_row(after, changes.fresh, [&added](const auto& r) { added.push_back(to_json(Record(r))); });
    detail::write_appended(target, old->text(), added, options);
    return;
  }
  detail::write_merged(target, old->text(), before, lines, after, changes);
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
  lines.reserve(makers.size());
  for (std::size_t k = 0; k < makers.size(); ++k) {
    const Record record = makers[k](journal);
    // A duplicate id or a trigger that is not there: RecordError, nothing written.
    if (k + 1 < makers.size()) {
      journal.add(record);  // the next makers see it
    } else {
      detail::check_addable(journal, record);
    }
    lines.push_back(to_json(record));
  }
  detail::write_appended(target, old ? old->text() : std::string_view(), lines, options);
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
