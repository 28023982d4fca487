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
#include <unordered_set>
#include <utility>
#include <variant>

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
  // Never lenient: a rewrite of a leniently read journal would drop its bad lines.
  read_options.lenient = false;
  const auto target = resolve_write_target(path);
  const FileLock lock(target);
  struct stat st {};
  Journal journal;
  if (::stat(target.c_str(), &st) == 0) {
    journal = read_journal(target, read_options);
  } else if (errno != ENOENT) {
    detail::io_error("cannot read journal", path, errno);
  }
  change(journal);
  write_journal(journal, target, options);
}

void append_record(const std::filesystem::path& path, Record record, const WriteOptions& options) {
  update_journal(
      path, [&record](Journal& j) { j.add(record); }, options);
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
