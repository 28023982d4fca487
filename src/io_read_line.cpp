// The line parser of the JSON Lines reader (src/io_read_line.hpp): each line
// of a share parsed in place with simdjson's On-Demand parser (the bytes
// after a line belong to the same padded buffer, so the padding simdjson
// needs is always there), every field checked as it is read into one reused
// record per type, which the share's JournalBuilder copies into its columns;
// the record's line and its hashed (participant, id) key and trigger
// reference go with it.
#include "io_read_line.hpp"

#include "io_read_fields.hpp"
#include "io_read_keys.hpp"
#include "io_read_share.hpp"

#include <calmkit/assessments.hpp>
#include <calmkit/io.hpp>
#include <calmkit/validate.hpp>

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calmkit::detail::jsonl {
namespace {

/// Whether lines go to the fast path first (`set_fast_path`).
std::atomic<bool> fast_path{true};
bool fast_path_on() noexcept {
  return fast_path.load(std::memory_order_relaxed);
}

/// The texts of a list field: views, as a view record's texts.
using Texts = std::vector<std::string_view>;

// A line's record with its texts as views: of the line itself, or (a text
// with an escape) of simdjson's buffer, both good until the next line. A
// record is checked and copied into the share's columns once, from these
// views (JournalBuilder::push of a view), instead of into strings of its own
// first. The fields are the record type's (`record`), with the same defaults.

/// A trigger's fields (`Trigger`).
struct TriggerView {
  using record = Trigger;
  std::string_view participant, id;
  Instant time{};
  TriggerCategory category = Trigger{}.category;
  Intensity intensity{};
  std::string_view context;
  Texts thoughts, sensations;
  std::string_view urge;
  std::optional<bool> acted_on_urge;
  std::optional<Minutes> acted_after_minutes;
  std::string_view response;
  Texts tags;
};
/// A reading's fields (`Reading`).
struct ReadingView {
  using record = Reading;
  std::string_view participant, id;
  Instant time{};
  Intensity intensity{};
  std::string_view trigger, note;
};
/// An exercise session's fields (`ExerciseSession`).
struct ExerciseView {
  using record = ExerciseSession;
  std::string_view participant, id;
  Instant time{}, end{};
  std::string_view exercise;
  bool completed = ExerciseSession{}.completed;
  std::optional<Intensity> intensity_before, intensity_after;
  std::string_view trigger;
  Texts responses;
};
/// An emotion rating's fields (`EmotionRating`).
struct EmotionView {
  std::string_view name;
  Percent before{};
  std::optional<Percent> after;
};
/// A thought record's fields (`ThoughtRecord`).
struct ThoughtView {
  using record = ThoughtRecord;
  std::string_view participant, id;
  Instant time{};
  std::string_view situation, automatic_thought;
  Percent belief_before{};
  std::vector<EmotionView> emotions;
  std::vector<Distortion> distortions;
  Texts evidence_for, evidence_against, alternatives;
  std::string_view friend_advice, balanced_thought;
  std::optional<Percent> belief_after;
  std::string_view trigger;
};

/// Empties a record for the next line while its lists keep their capacity;
/// every field back to the value a default-constructed record has.
// (One assignment per field: a chained `a = b = {}` stores `b` and loads it
// back at once, which stalls the load until the stores are written.)
void reset(TriggerView& t) noexcept {
  t.participant = {};
  t.id = {};
  t.time = Instant{};
  t.category = Trigger{}.category;
  t.intensity = Intensity{};
  t.context = {};
  t.urge = {};
  t.response = {};
  t.thoughts.clear();
  t.sensations.clear();
  t.acted_on_urge.reset();
  t.acted_after_minutes.reset();
  t.tags.clear();
}
void reset(ReadingView& r) noexcept {
  r = ReadingView{};
}
void reset(ExerciseView& e) noexcept {
  e.participant = {};
  e.id = {};
  e.time = Instant{};
  e.end = Instant{};
  e.exercise = {};
  e.completed = ExerciseSession{}.completed;
  e.intensity_before.reset();
  e.intensity_after.reset();
  e.trigger = {};
  e.responses.clear();
}
void reset(ThoughtView& r) noexcept {
  r.participant = {};
  r.id = {};
  r.time = Instant{};
  r.situation = {};
  r.automatic_thought = {};
  r.belief_before = Percent{};
  r.emotions.clear();
  r.distortions.clear();
  r.evidence_for.clear();
  r.evidence_against.clear();
  r.alternatives.clear();
  r.friend_advice = {};
  r.balanced_thought = {};
  r.belief_after.reset();
  r.trigger = {};
}
void reset(Assessment& a) noexcept {
  a.participant.clear();
  a.id.clear();
  a.time = Instant{};
  a.instrument.clear();
  a.answers.clear();
  a.note.clear();
}

/// The reason for a line whose object ends before the line does.
constexpr std::string_view content_after_object = "unexpected content after the JSON object";

/// True when `line` is one whole, valid JSON object followed by something
/// other than blanks: simdjson then fails the line as a whole ("ended early
/// in the middle of an object or array" for a word, a comma or a NUL after
/// the `}`), while the object itself is fine; Python's json module calls it
/// "Extra data". Cold: called only for a line that failed.
[[gnu::cold]] bool object_then_more(std::string_view line) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::size_t i = 0;
  while (i < line.size() && blank(line[i])) ++i;
  if (i == line.size() || line[i] != '{') return false;
  std::size_t depth = 0, end = 0;
  bool in_string = false;
  for (; i < line.size() && end == 0; ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      end = i + 1;  // mismatched brackets fail the parse below
    }
  }
  if (end == 0 || std::all_of(line.begin() + static_cast<std::ptrdiff_t>(end), line.end(), blank))
    return false;
  simdjson::dom::parser parser;
  const simdjson::padded_string object(line.substr(0, end));
  return parser.parse(object).error() == simdjson::SUCCESS;
}

}  // namespace

/// Parses the lines of one share into a ShareResult. Every per-line rule is
/// checked here; the rules across lines (unique ids, trigger references) are
/// the Reader's, which sees the shares in line order. One per thread: it
/// holds the simdjson parser and its buffers, reused from share to share.
class LineParser::Impl {
 public:
  // A piece is one batch: no stage 1 thread of simdjson's beside the share's.
  Impl() { stream_parser_.threaded = false; }

  /// Parses the lines of `[p, end)`; bytes up to `buffer_end` are readable.
  /// `end` is a line start (or the end of the input: an unterminated last
  /// line is a line too). `header_allowed`: the first non-blank line may be
  /// the header. `max_line_bytes` (0: no limit): a longer line is a fatal
  /// error. Strict: stops at the first bad line; lenient: at the first fatal one.
  void run(const char* p, const char* const end, const char* const buffer_end, bool header_allowed,
           bool lenient, std::size_t max_line_bytes, ShareResult& out) noexcept {
    out.clear();
    out.header_allowed = header_allowed;
    out_ = &out;
    // The share's dictionary and the keys hash under one key (the same
    // library's `hash_key`): then `keep` hands the dictionary the hash.
    const HashKey& bk = out.builder.participant_hash_key();
    const HashKey& kk = hash_key();
    same_key_ = bk.seed == kk.seed && bk.expand == kk.expand && bk.fold == kk.fold;
    try {
      while (p < end) {
        // A piece of whole lines, its stage 1 in one pass.
        const char* piece_end = end;
        if (static_cast<std::size_t>(end - p) > piece_bytes) {
          const auto* nl = static_cast<const char*>(
              std::memchr(p + piece_bytes, '\n', static_cast<std::size_t>(end - (p + piece_bytes))));
          piece_end = nl ? nl + 1 : end;
        }
        if (!run_piece(p, piece_end, buffer_end, lenient, max_line_bytes)) return;
        p = piece_end;
      }
    } catch (...) {
      out.failure = std::current_exception();
    }
  }

  /// The reason given for a line longer than `max_line_bytes`.
  [[gnu::cold]] static std::string line_too_long(std::size_t max_line_bytes) {
    return "the line is longer than " + std::to_string(max_line_bytes) +
           " bytes without a line break (ReadOptions::max_line_bytes; max_line_bytes= in Python;"
           " a journal line is one record); is this a journal at all?";
  }

 private:
  /// Lines are parsed in pieces of about this many bytes (whole lines): one
  /// stage 1 pass per piece instead of one per line, its structural indexes
  /// small enough to stay in cache.
  static constexpr std::size_t piece_bytes = std::size_t{256} << 10;

  /// Whether the bytes of `[b, e)` are all JSON whitespace (line breaks, blank lines).
  static bool blank(const char* b, const char* e) noexcept {
    for (; b < e; ++b) {
      if (*b != '\n' && *b != ' ' && *b != '\t' && *b != '\r') return false;
    }
    return true;
  }

  /// The lines of one piece `[p, end)` (whole lines). A line goes to the
  /// fast path first (`fast_line`), which keeps the usual line and refuses
  /// anything else. A refused line is parsed by simdjson: alone, or from one
  /// document stream over the rest of the piece (stage 1 once for all of
  /// them) as long as the stream's documents are the lines one to one: a
  /// document starts where its line's text starts, and the next one only
  /// after the line ends. The first line where that is not so, or that has
  /// any problem at all, and every line after it in the piece are parsed
  /// alone, as `parse_line` always did, so records, errors and messages are
  /// those of a line-by-line parse. False: stop (strict: a bad line;
  /// lenient: a fatal one).
  bool run_piece(const char* p, const char* const end, const char* const buffer_end, bool lenient,
                 std::size_t max_line_bytes) {
    ShareResult& out = *out_;
    // The document stream, from `stream_at` to the end of the piece: started
    // at once when the fast path is off, else at the line where it has been
    // refused too often (see below).
    bool streamed = false;
    const char* stream_at = nullptr;
    od::document_stream stream;
    od::document_stream::iterator doc_it;
    const auto start_stream = [&](const char* from) {
      const auto len = static_cast<std::size_t>(end - from);
      // Keys may be unescaped twice (see find_type): the string buffer (5/3
      // of the capacity) holds twice the longest line.
      if (stream_capacity_ < 2 * len + 64) stream_capacity_ = std::max(2 * len + 64, 2 * stream_capacity_);
      stream_at = from;
      if (stream_parser_.iterate_many(from, len, stream_capacity_).get(stream) == simdjson::SUCCESS) {
        doc_it = stream.begin();
        streamed = doc_it != stream.end() && doc_it.error() == simdjson::SUCCESS;
      }
    };
    bool fast = fast_path_on();
    if (!fast) start_stream(p);
    std::size_t lines_here = 0, refused = 0;
    while (p < end) {
      if (fast) {
        // The fast path finds the line's end as it reads it.
        if (const char* next = fast_line(p, end, out.lines + 1, max_line_bytes)) [[likely]] {
          ++out.lines;
          ++lines_here;
          out.content = true;
          p = next;
          continue;
        }
      }
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      const char* le = nl ? nl : end;
      ++out.lines;
      if (max_line_bytes > 0 && static_cast<std::size_t>(le - p) > max_line_bytes) [[unlikely]] {
        // The limit is on the line's content: a \r\n's \r is its end.
        if (static_cast<std::size_t>(le - p) - (nl != nullptr && le[-1] == '\r') > max_line_bytes) {
          out.errors.push_back(ShareError{out.lines, "", line_too_long(max_line_bytes), true});
          return false;
        }
      }
      const char* b = p;
      const char* e = le;
      while (b < e && (*b == ' ' || *b == '\t' || *b == '\r')) ++b;
      while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) --e;
      const char* const next = nl ? nl + 1 : end;
      p = next;
      if (b == e) continue;  // blank line
      const bool first = out.header_allowed && !out.content;
      out.content = true;
      if (fast) {
        ++lines_here;
        // Refused: the simdjson path decides, on the line alone. Once a
        // quarter of the piece's lines (8 at least) have been refused, its
        // rest goes to that path at once, in one document stream (one stage
        // 1): a file the fast path does not suit costs no more than before.
        if (++refused >= 8 && 4 * refused >= lines_here) [[unlikely]] {
          fast = false;
          start_stream(b);
        }
      }
      const auto* bs = static_cast<const char*>(std::memchr(b, '\\', static_cast<std::size_t>(e - b)));
      backslash_ = bs ? bs : e;
      if (streamed && e - b >= 3 && std::memcmp(b, "\xEF\xBB\xBF", 3) == 0) [[unlikely]]
        streamed = false;  // parse_line refuses it
      if (streamed) {
        try {
          streamed = doc_it != stream.end() && doc_it.error() == simdjson::SUCCESS &&
                     doc_it.current_index() == static_cast<std::size_t>(b - stream_at);
          if (streamed) {
            od::document_reference doc;
            check((*doc_it).get(doc));
            end_ = e;
            parse_doc(doc, out.lines, first, [&doc, e, next] {
              // Nothing more on this line, and the next document (if any)
              // starts after it: this document was the whole line. The
              // stream's last good document (no structural character after
              // it) is not taken from the stream: its stage 1 drops what it
              // cannot index after it (a string left open at the end of the
              // input, bytes that are not UTF-8 at the end of a line), so the
              // line is parsed alone, which sees them; once a piece.
              const auto at = doc.current_location();
              const bool alone =
                  at.error() == simdjson::SUCCESS && at.value_unsafe() >= next && blank(e, at.value_unsafe());
              if (!alone) throw LineError{};
            });
            ++doc_it;
            continue;
          }
        } catch (LineError&) {
          streamed = false;  // this line and the rest of the piece: line by line
        }
      }
      try {
        parse_line(b, static_cast<std::size_t>(e - b), static_cast<std::size_t>(buffer_end - b), out.lines,
                   first);
      } catch (LineError& err) {
        if (!err.line_rule) [[unlikely]] {
          // A field's rule failed before the whole line was read: if the line
          // is not one valid JSON object, that comes first (the format's
          // order of checks), whatever its fields say; even a header's newer
          // version, which would stop the read, is then the line's problem.
          if (auto problem = json_problem(b, static_cast<std::size_t>(e - b),
                                          static_cast<std::size_t>(buffer_end - b))) {
            err.field = std::move(problem->field);
            err.reason = std::move(problem->reason);
            err.fatal = false;
          }
        }
        if (err.field.empty() && err.reason == line_not_utf8) [[unlikely]] {
          auto v = utf8_violation(std::string_view(b, static_cast<std::size_t>(e - b)));  // the rule's words
          err.field = std::move(v.field);
          err.reason = std::move(v.reason);
        } else if (err.field.empty() && err.reason.starts_with("invalid JSON") &&
                   object_then_more(std::string_view(b, static_cast<std::size_t>(e - b)))) [[unlikely]] {
          err.reason = std::string(content_after_object);
        }
        out.errors.push_back(ShareError{out.lines, std::move(err.field), std::move(err.reason), err.fatal});
        if (!lenient || err.fatal) return false;
      }
    }
    return true;
  }

  /// Cold: why the line `[text, text + len)` is not one whole valid JSON
  /// object with no key twice in an object the reader checks, or nothing
  /// when it is one. Reads every value to its end (the record parsers stop
  /// at the first field that breaks a rule) with the JSON checks of an
  /// unknown field's value (`consume`) but not its depth rule: a value nested
  /// deeper than that rule allows is read to its end, so JSON broken after
  /// it is found (and comes first), and the keys of the root object and of a
  /// thought record's emotion objects as `for_each_field` does: the first key
  /// given twice (named, as there) is the line's problem unless its JSON is
  /// not valid, which comes first (the reader's order of checks).
  [[gnu::cold]] std::optional<LineError> json_problem(const char* text, std::size_t len,
                                                      std::size_t capacity) {
    constexpr std::string_view twice = duplicate_key;
    // Keys given twice, in line order; an emotion object's counts only in a thought record.
    std::vector<std::pair<LineError, bool>> repeated;
    bool thought = false;
    try {
      // Any depth is walked, so the parser's depth limit must cover the line:
      // simdjson keeps a start position per open level up to `max_depth` in
      // its development checks (unoptimised builds) and asserts beyond it,
      // and a line cannot open more levels than it has bytes.
      const std::size_t depth = std::max<std::size_t>(simdjson::DEFAULT_MAX_DEPTH, len + 1);
      if (parser_.capacity() < 2 * len + 64 || parser_.max_depth() < depth)
        check(parser_.allocate(std::max(parser_.capacity(), 2 * len + 64), depth));
      od::document doc;
      check(parser_.iterate(text, len, capacity).get(doc));
      od::json_type root{};
      check(doc.type().get(root));
      if (root != od::json_type::object) return std::nullopt;  // said already, as the line's problem
      // Its fields as `for_each_field` reads them: at depth 1, each named by its key.
      od::object obj;
      check(doc.get_object().get(obj));
      KeySet& keys = unknown_;
      keys.clear();
      bool typed = false;
      for (auto fr : obj) {
        od::field fld;
        check(std::move(fr).get(fld));
        std::string_view key;
        check(fld.unescaped_key().get(key));
        if (!keys.insert(key))
          repeated.emplace_back(LineError{std::string(key_name(key)), std::string(twice)}, false);
        od::value& v = fld.value();
        if (key == "type" && !typed && type_of(v) == od::json_type::string) {
          typed = true;
          std::string_view type;
          check(v.get_string().get(type));
          thought = type == "thought_record";
        } else if (key == "emotions" && type_of(v) == od::json_type::array) {
          od::array a;
          check(v.get_array().get(a));
          std::ptrdiff_t index = 0;
          for (auto er : a) {
            od::value ev;
            check(er.get(ev));
            if (type_of(ev) == od::json_type::object) {
              od::object o;
              check(ev.get_object().get(o));
              KeySet& inner = unknown_nested_;
              inner.clear();
              for (auto efr : o) {
                od::field efld;
                check(std::move(efr).get(efld));
                std::string_view ekey;
                check(efld.unescaped_key().get(ekey));
                if (!inner.insert(ekey))
                  repeated.emplace_back(
                      LineError{FieldRef{key, index, key_name(ekey)}.str(), std::string(twice)}, true);
                consume<false>(efld.value(), FieldRef{key});
              }
            } else {
              consume<false>(ev, FieldRef{key});
            }
            ++index;
          }
        } else {
          consume<false>(v, FieldRef{key_name(key)});
        }
      }
      if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
        return LineError{{}, std::string(content_after_object)};
    } catch (LineError& err) {
      // Not valid JSON: the line's problem (the walk checks no field's rule).
      return LineError{{}, std::move(err.reason)};
    }
    for (auto& [err, in_emotion] : repeated) {
      if (!in_emotion || thought) return std::move(err);
    }
    return std::nullopt;
  }

  /// One line parsed alone (its own stage 1).
  void parse_line(const char* text, std::size_t len, std::size_t capacity, std::size_t line_no, bool first) {
    // A byte order mark is the file's first bytes or nothing (simdjson skips
    // one before any document in newer versions, not in older ones).
    if (len >= 3 && std::memcmp(text, "\xEF\xBB\xBF", 3) == 0) [[unlikely]]
      fail_line(std::string(byte_order_mark_inside));
    // Keys may be unescaped twice (see find_type), so keep the string buffer
    // at least twice the line.
    if (parser_.capacity() < 2 * len + 64) {
      check(parser_.allocate(std::max(2 * len + 64, 2 * parser_.capacity())));
    }
    end_ = text + len;
    od::document doc;
    check(parser_.iterate(text, len, capacity).get(doc));
    parse_doc(doc, line_no, first, [&doc] {
      // The iterator reports OUT_OF_BOUNDS once every token has been used.
      if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
        fail_line(std::string(content_after_object));
      }
    });
  }

  /// The record of one line's document (a whole document, or one of a
  /// stream); `at_end()` throws unless the object was all of the line.
  template <class Doc, class AtEnd>
  void parse_doc(Doc& doc, std::size_t line_no, bool first, AtEnd&& at_end) {
    od::json_type root{};
    check(doc.type().get(root));
    if (root != od::json_type::object)
      fail_line("the line is not a JSON object (it is " + type_name(root) + ")");
    od::object obj;
    check(doc.get_object().get(obj));

    // The writer puts `type` first: read as the first field, the fields
    // after it are read on from there. Anywhere else, or escaped, it is
    // looked for, and all the fields are read from the first.
    FieldsLeft rest = all_fields(obj);
    std::string_view type;
    bool type_first = false;
    if (rest.it != od::object_iterator{}) {
      od::field fld;
      check((*rest.it).get(fld));
      type_first = std::memcmp(fld.key().raw(), "type\"", 5) == 0;  // the padding is readable
      if (type_first) {
        type = get_string(fld.value(), FieldRef{"type"}, backslash_);
        ++rest.it;
        rest.seen = 1;  // the bit of `type`, index 0 of every record kind
      }
    }
    if (!type_first) {
      bool rewound = false;
      check(obj.reset().get(rewound));
      type = find_type(obj);
      check(obj.reset().get(rewound));
      rest = all_fields(obj);
    }
    // Each record is built first and kept only once the whole line is known
    // to be good (nothing half-read survives a bad line).
    // One compare of known length per type name (the bytes of `type` and a
    // literal), not a string_view comparison call per candidate.
    const auto is = [&type](std::string_view name) {
      return type.size() == name.size() && std::memcmp(type.data(), name.data(), name.size()) == 0;
    };
    if (is("trigger")) {
      const auto& t = parse_trigger(rest);
      at_end();
      keep(t, line_no);
    } else if (is("reading")) {
      const auto& r = parse_reading(rest);
      at_end();
      keep(r, line_no);
    } else if (is("exercise")) {
      const auto& e = parse_exercise(rest);
      at_end();
      keep(e, line_no);
    } else if (is("thought_record")) {
      const auto& r = parse_thought(rest);
      at_end();
      keep(r, line_no);
    } else if (is("header")) {
      if (!first) fail(FieldRef{"type"}, "a header is only allowed as the first line of the file");
      const int version = parse_header(rest);
      at_end();
      out_->version = version;
    } else if (is("assessment")) {
      const auto& a = parse_assessment(rest);
      at_end();
      keep(a, line_no);
    } else {
      fail(FieldRef{"type"}, "unknown record type " + quote(type) +
                                 " (expected trigger, reading, exercise, thought_record or assessment)");
    }
  }

  /// The value of `type`. Fast path: the raw key "type" (the writer puts it
  /// first). Slow path: walk the unescaped keys, for files that escape it.
  std::string_view find_type(od::object& obj) {
    od::value v;
    const auto e = obj.find_field_unordered("type").get(v);
    if (e == simdjson::SUCCESS) return get_string(v, FieldRef{"type"}, backslash_);
    if (e != simdjson::NO_SUCH_FIELD) check(e);
    bool rewound = false;
    check(obj.reset().get(rewound));
    for (auto fr : obj) {
      od::field fld;
      check(std::move(fr).get(fld));
      std::string_view key;
      check(fld.unescaped_key().get(key));
      if (key == "type") return get_string(fld.value(), FieldRef{"type"}, backslash_);
    }
    fail(FieldRef{"type"}, rules::required_missing());
  }

  /// Fields 1..3 of every record: participant, id, time. True when handled.
  /// An optional id (a reading's) may not be written empty (the format leaves
  /// it out instead); a required one is the model's rule, run by `keep`.
  /// `Text`: a view record's `std::string_view`, or an assessment's string.
  template <class Text>
  [[gnu::always_inline]] bool common(std::size_t i, od::value& v, Text& participant, Text& id, Instant& time,
                                     bool id_required = true) {
    switch (i) {
      case 0: return true;  // type: already read
      case 1:
        set(participant, get_string(v, FieldRef{"participant"}, backslash_));
        hint_participant(participant);
        return true;
      case 2:
        if (id_required)
          set(id, get_string(v, FieldRef{"id"}, backslash_));
        else
          get_id(v, FieldRef{"id"}, id, backslash_);
        return true;
      case 3: time = get_time(v, FieldRef{"time"}, backslash_); return true;
      default: return false;
    }
  }

  /// Hashes the participant of the line being parsed (its keys and its
  /// code in the share's dictionary start from that hash) and asks for the
  /// dictionary slot it will be looked up in once the record is kept: the
  /// rest of the line is parsed meanwhile, and the lookup, at random in a
  /// dictionary of thousands of names, then finds its slot in cache.
  void hint_participant(std::string_view participant) noexcept {
    hinted_ = participant;
    hinted_state_ = participant_state(participant);
    if (same_key_) out_->builder.prefetch_participant(folded_multiply(hinted_state_, hash_key().fold));
  }
  /// `participant_state(participant)`, from `hint_participant` when it is the participant hinted.
  [[nodiscard]] std::uint64_t state_of(std::string_view participant) const noexcept {
    // Not for an empty participant (a record without one): its empty view
    // may match the empty `hinted_` of a share where no participant has
    // been read yet, whose state is no one's.
    return !participant.empty() && participant.data() == hinted_.data() &&
                   participant.size() == hinted_.size()
               ? hinted_state_
               : participant_state(participant);
  }

  [[noreturn]] static void newer_version(std::string_view version) {
    throw LineError{"version",
                    "journal format version " + std::string(version) +
                        " is newer than this calmkit reads (up to version " +
                        std::to_string(journal_format_version) + "); upgrade calmkit",
                    true};
  }

  int parse_header(FieldsLeft rest) {
    std::int64_t version = 1;
    const auto seen =
        for_each_field(rest, header_keys, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (i == 1) {
            const auto f = get_string(v, FieldRef{"format"}, backslash_);
            if (f != "calmkit-journal")
              fail(FieldRef{"format"}, "must be \"calmkit-journal\", got " + quote(f));
          } else if (i == 2) {
            // Any whole number above the versions this reader knows is a newer format,
            // however many digits it has: an error that stops the read, never a line to skip.
            const std::string_view raw = raw_token(v);
            const bool digits = !raw.empty() && raw.front() != '0' &&
                                raw.find_first_not_of("0123456789") == std::string_view::npos;
            if (digits && (raw.size() > 9 || std::stoi(std::string(raw)) > journal_format_version)) {
              newer_version(raw);
            }
            version = get_int(v, FieldRef{"version"}, 1, std::numeric_limits<int>::max());
          }
        });
    require(header_fields, seen, header_required);
    if (version > journal_format_version) newer_version(std::to_string(version));
    return static_cast<int>(version);
  }

  const TriggerView& parse_trigger(FieldsLeft rest) {
    TriggerView& t = trigger_;
    reset(t);
    const auto seen =
        for_each_field(rest, trigger_keys, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, t.participant, t.id, t.time)) return;
          const FieldRef f{trigger_fields[i]};
          switch (i) {
            case 4: {
              const auto s = get_string(v, f, backslash_);
              auto c = trigger_category_from_id(s);
              if (!c) fail(f, unknown_trigger_category(s));
              t.category = *c;
              break;
            }
            case 5: t.intensity = get_intensity(v, f); break;
            case 6: set(t.context, get_string(v, f, backslash_)); break;
            case 7: get_string_list(v, f, t.thoughts, backslash_); break;
            case 8: get_string_list(v, f, t.sensations, backslash_); break;
            case 9: set(t.urge, get_string(v, f, backslash_)); break;
            case 10: t.acted_on_urge = get_bool(v, f); break;
            case 11: {
              // A number here; its value is the model's rule (the type Minutes).
              const auto ty = type_of(v);
              if (ty != od::json_type::number) fail(f, rules::not_minutes(type_name(ty)));
              double m = 0;
              if (v.get_double().get(m) != simdjson::SUCCESS) [[unlikely]] {  // beyond a double: infinite
                const std::string_view token = raw_token(v);
                if (!is_json_number(token)) fail_line(json_error_reason(simdjson::NUMBER_ERROR));
                m = token.starts_with('-') ? -std::numeric_limits<double>::infinity()
                                           : std::numeric_limits<double>::infinity();
              }
              t.acted_after_minutes = Minutes::make(m);
              if (!t.acted_after_minutes) [[unlikely]]
                fail(f, Minutes::out_of_range_reason(m));
              break;
            }
            case 12: set(t.response, get_string(v, f, backslash_)); break;
            case 13: get_string_list(v, f, t.tags, backslash_); break;
            default: break;
          }
        });
    require(trigger_fields, seen, trigger_required);
    return t;
  }

  const ReadingView& parse_reading(FieldsLeft rest) {
    ReadingView& r = reading_;
    reset(r);
    const auto seen =
        for_each_field(rest, reading_keys, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, r.participant, r.id, r.time, false)) return;
          const FieldRef f{reading_fields[i]};
          switch (i) {
            case 4: r.intensity = get_intensity(v, f); break;
            case 5: get_id(v, f, r.trigger, backslash_); break;
            case 6: set(r.note, get_string(v, f, backslash_)); break;
            default: break;
          }
        });
    require(reading_fields, seen, reading_required);
    return r;
  }

  const ExerciseView& parse_exercise(FieldsLeft rest) {
    ExerciseView& e = exercise_;
    reset(e);
    const auto seen =
        for_each_field(rest, exercise_keys, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, e.participant, e.id, e.time)) return;
          const FieldRef f{exercise_fields[i]};
          switch (i) {
            case 4: set(e.exercise, get_string(v, f, backslash_)); break;
            case 5: e.end = get_time(v, f, backslash_); break;
            case 6: e.completed = get_bool(v, f); break;
            case 7: e.intensity_before = get_intensity(v, f); break;
            case 8: e.intensity_after = get_intensity(v, f); break;
            case 9: get_id(v, f, e.trigger, backslash_); break;
            case 10: get_string_list(v, f, e.responses, backslash_); break;
            default: break;
          }
        });
    require(exercise_fields, seen, exercise_required);
    return e;
  }

  void parse_emotion(od::value& v, const FieldRef& f, std::vector<EmotionView>& out) {
    const auto t = type_of(v);
    if (t != od::json_type::object) fail(f, rules::not_an_emotion(type_name(t)));
    od::object o;
    check(v.get_object().get(o));
    EmotionView em;
    const auto seen = for_each_field(all_fields(o), emotion_keys, unknown_nested_, f, end_,
                                     [&](std::size_t i, od::value& ev) {
                                       const FieldRef ef{f.name, f.index, emotion_fields[i]};
                                       switch (i) {
                                         case 0: set(em.name, get_string(ev, ef, backslash_)); break;
                                         case 1: em.before = get_percent(ev, ef); break;
                                         case 2: em.after = get_percent(ev, ef); break;
                                         default: break;
                                       }
                                     });
    require(emotion_fields, seen, emotion_required, f.name, f.index);
    out.push_back(em);
  }

  const ThoughtView& parse_thought(FieldsLeft rest) {
    ThoughtView& r = thought_;
    reset(r);
    const auto seen =
        for_each_field(rest, thought_keys, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, r.participant, r.id, r.time)) return;
          const FieldRef f{thought_fields[i]};
          switch (i) {
            case 4: set(r.situation, get_string(v, f, backslash_)); break;
            case 5: set(r.automatic_thought, get_string(v, f, backslash_)); break;
            case 6: r.belief_before = get_percent(v, f); break;
            case 7:
              for_each_element(v, f, "emotion objects",
                               [&](od::value& ev, const FieldRef& ef) { parse_emotion(ev, ef, r.emotions); });
              break;
            case 8:
              for_each_element(v, f, "distortion ids", [&](od::value& ev, const FieldRef& ef) {
                const auto s = get_string(ev, ef, backslash_);
                auto d = distortion_from_id(s);
                if (!d) fail(ef, unknown_distortion(s));
                r.distortions.push_back(*d);
              });
              break;
            case 9: get_string_list(v, f, r.evidence_for, backslash_); break;
            case 10: get_string_list(v, f, r.evidence_against, backslash_); break;
            case 11: get_string_list(v, f, r.alternatives, backslash_); break;
            case 12: set(r.friend_advice, get_string(v, f, backslash_)); break;
            case 13: set(r.balanced_thought, get_string(v, f, backslash_)); break;
            case 14: r.belief_after = get_percent(v, f); break;
            case 15: get_id(v, f, r.trigger, backslash_); break;
            default: break;
          }
        });
    require(thought_fields, seen, thought_required);
    return r;
  }

  /// An assessment; its instrument and answers are checked by `keep` once the
  /// whole object is read, since `answers` may come before `instrument`.
  const Assessment& parse_assessment(FieldsLeft rest) {
    Assessment& a = assessment_;
    reset(a);
    const auto seen =
        for_each_field(rest, assessment_keys, unknown_, FieldRef{}, end_, [&](std::size_t i, od::value& v) {
          if (common(i, v, a.participant, a.id, a.time)) return;
          const FieldRef f{assessment_fields[i]};
          switch (i) {
            case 4: set(a.instrument, get_string(v, f, backslash_)); break;
            case 5:
              for_each_element(v, f, "integers", [&](od::value& ev, const FieldRef& ef) {
                a.answers.push_back(static_cast<int>(
                    get_int(ev, ef, std::numeric_limits<int>::min(), std::numeric_limits<int>::max())));
              });
              break;
            case 6: set(a.note, get_string(v, f, backslash_)); break;
            default: break;
          }
        });
    require(assessment_fields, seen, assessment_required);
    return a;
  }

  // The fast path: the usual line read by the hand-written scanner
  // (io_read_fields.hpp, `Scan`) into the same view record the simdjson path
  // fills, and kept the same way. Anything the scanner does not fully take
  // (escapes, unknown keys with a list or an object, duplicates, null, a
  // number it does not read, a value out of range, a rule the record breaks)
  // refuses the line, and the simdjson path reads it again and decides: so
  // every error, and its message, is that path's.

  /// Keeps the line that starts at `line` (the piece ends at `end`) if the
  /// fast path takes it, and returns the start of the next line (or `end`);
  /// nothing (nothing kept) when it refuses it. `max_line_bytes`: as `run`'s;
  /// a longer line is refused.
  const char* fast_line(const char* line, const char* end, std::size_t line_no, std::size_t max_line_bytes) {
    Scan scan{line, end};
    scan.skip_blanks();
    const char* const b = scan.p;
    // The type first: `{"type":"` as the writer starts a line, or the first
    // `"type":"` of it, which `scan_object` then checks is the key `type`.
    const char* type_at = nullptr;
    if (end - b > 9 && std::memcmp(b, "{\"type\":\"", 9) == 0) [[likely]] {
      type_at = b + 9;
    } else {
      const auto* nl = static_cast<const char*>(std::memchr(b, '\n', static_cast<std::size_t>(end - b)));
      const std::string_view text(b, static_cast<std::size_t>((nl != nullptr ? nl : end) - b));
      const auto at = text.find("\"type\":\"");
      if (at == std::string_view::npos) return nullptr;
      type_at = b + at + 8;
    }
    // The type's name and its closing quote (the padding is readable);
    // `scan_object` checks it is the whole value of the key `type`.
    const auto is = [type_at]<std::size_t N_>(const char(&name)[N_]) {
      return std::memcmp(type_at, name, sizeof name - 1) == 0;
    };
    // The line's end once it is read: its line break or the end of the piece.
    const auto line_end = [&scan, line, end, max_line_bytes]() -> const char* {
      scan.skip_blanks();
      if (scan.p < end && *scan.p != '\n') return nullptr;
      if (max_line_bytes > 0 && static_cast<std::size_t>(scan.p - line) > max_line_bytes) return nullptr;
      return scan.p;
    };
    const char* le = nullptr;
    try {
      if (is("reading\"")) {
        if (fast_reading(scan, type_at) && (le = line_end()) != nullptr) [[likely]]
          keep(reading_, line_no);
      } else if (is("trigger\"")) {
        if (fast_trigger(scan, type_at) && (le = line_end()) != nullptr) [[likely]]
          keep(trigger_, line_no);
      } else if (is("exercise\"")) {
        if (fast_exercise(scan, type_at) && (le = line_end()) != nullptr) [[likely]]
          keep(exercise_, line_no);
      } else if (is("thought_record\"")) {
        if (fast_thought(scan, type_at) && (le = line_end()) != nullptr) [[likely]]
          keep(thought_, line_no);
      }
    } catch (LineError&) {
      // A rule of the record's (`keep`, before it keeps anything): the
      // simdjson path reads the line again and gives the error.
      return nullptr;
    }
    if (le == nullptr) return nullptr;
    return le == end ? end : le + 1;
  }
  /// Fields 1..3 of every record, as `common` reads them.
  template <class View>
  bool fast_common(std::size_t i, Scan& s, View& r, bool id_required = true) {
    switch (i) {
      case 1:
        if (!s.string(r.participant)) return false;
        hint_participant(r.participant);
        return true;
      case 2: return s.string(r.id) && (id_required || !r.id.empty());
      case 3: return fast_time(s, r.time);
      default: return false;
    }
  }
  static bool fast_intensity(Scan& s, Intensity& out) noexcept {
    std::int64_t x = 0;
    if (!s.integer(Intensity::min, Intensity::max, x)) return false;
    out = *Intensity::make(static_cast<int>(x));
    return true;
  }
  static bool fast_intensity(Scan& s, std::optional<Intensity>& out) noexcept {
    Intensity x{};
    if (!fast_intensity(s, x)) return false;
    out = x;
    return true;
  }
  static bool fast_percent(Scan& s, Percent& out) noexcept {
    std::int64_t x = 0;
    if (!s.integer(Percent::min, Percent::max, x)) return false;
    out = *Percent::make(static_cast<int>(x));
    return true;
  }
  static bool fast_percent(Scan& s, std::optional<Percent>& out) noexcept {
    Percent x{};
    if (!fast_percent(s, x)) return false;
    out = x;
    return true;
  }
  /// A non-empty id (or trigger reference), as `get_id`.
  static bool fast_id(Scan& s, std::string_view& out) noexcept { return s.string(out) && !out.empty(); }
  /// A time, as `get_time` reads it: the usual shape by the word-at-a-time
  /// parser inlined here (a record's time is read on every line), any other
  /// by the whole grammar.
  static bool fast_time(Scan& s, Instant& out) noexcept {
    std::string_view text;
    if (!s.string(text)) return false;
    if (detail::parse_time_fast(text, out)) [[likely]]
      return true;
    const auto t = Instant::try_parse(text);
    if (!t) return false;
    out = *t;
    return true;
  }

  bool fast_reading(Scan& s, const char* type_at) {
    ReadingView& r = reading_;
    reset(r);
    return scan_object<true>(s, reading_keys, reading_required, type_at, [&](std::size_t i, Scan& sc) {
      switch (i) {
        case 4: return fast_intensity(sc, r.intensity);
        case 5: return fast_id(sc, r.trigger);
        case 6: return sc.string(r.note);
        default: return fast_common(i, sc, r, false);
      }
    });
  }

  bool fast_trigger(Scan& s, const char* type_at) {
    TriggerView& t = trigger_;
    reset(t);
    return scan_object<true>(s, trigger_keys, trigger_required, type_at, [&](std::size_t i, Scan& sc) {
      switch (i) {
        case 4: {
          std::string_view id;
          if (!sc.string(id)) return false;
          const auto c = trigger_category_from_id(id);
          if (!c) return false;
          t.category = *c;
          return true;
        }
        case 5: return fast_intensity(sc, t.intensity);
        case 6: return sc.string(t.context);
        case 7: return sc.strings(t.thoughts);
        case 8: return sc.strings(t.sensations);
        case 9: return sc.string(t.urge);
        case 10: {
          bool acted = false;
          if (!sc.boolean(acted)) return false;
          t.acted_on_urge = acted;
          return true;
        }
        case 11: {
          double m = 0;
          if (!sc.decimal(m)) return false;
          t.acted_after_minutes = Minutes::make(m);
          return t.acted_after_minutes.has_value();
        }
        case 12: return sc.string(t.response);
        case 13: return sc.strings(t.tags);
        default: return fast_common(i, sc, t);
      }
    });
  }

  bool fast_exercise(Scan& s, const char* type_at) {
    ExerciseView& x = exercise_;
    reset(x);
    return scan_object<true>(s, exercise_keys, exercise_required, type_at, [&](std::size_t i, Scan& sc) {
      switch (i) {
        case 4: return sc.string(x.exercise);
        case 5: return fast_time(sc, x.end);
        case 6: return sc.boolean(x.completed);
        case 7: return fast_intensity(sc, x.intensity_before);
        case 8: return fast_intensity(sc, x.intensity_after);
        case 9: return fast_id(sc, x.trigger);
        case 10: return sc.strings(x.responses);
        default: return fast_common(i, sc, x);
      }
    });
  }

  bool fast_thought(Scan& s, const char* type_at) {
    ThoughtView& r = thought_;
    reset(r);
    return scan_object<true>(s, thought_keys, thought_required, type_at, [&](std::size_t i, Scan& sc) {
      switch (i) {
        case 4: return sc.string(r.situation);
        case 5: return sc.string(r.automatic_thought);
        case 6: return fast_percent(sc, r.belief_before);
        case 7:
          return sc.list([&] {
            EmotionView em;
            const bool ok =
                scan_object<false>(sc, emotion_keys, emotion_required, nullptr, [&](std::size_t k, Scan& es) {
                  switch (k) {
                    case 0: return es.string(em.name);
                    case 1: return fast_percent(es, em.before);
                    case 2: return fast_percent(es, em.after);
                    default: return false;
                  }
                });
            if (ok) r.emotions.push_back(em);
            return ok;
          });
        case 8:
          return sc.list([&] {
            std::string_view id;
            if (!sc.string(id)) return false;
            const auto d = distortion_from_id(id);
            if (!d) return false;
            r.distortions.push_back(*d);
            return true;
          });
        case 9: return sc.strings(r.evidence_for);
        case 10: return sc.strings(r.evidence_against);
        case 11: return sc.strings(r.alternatives);
        case 12: return sc.string(r.friend_advice);
        case 13: return sc.string(r.balanced_thought);
        case 14: return fast_percent(sc, r.belief_after);
        case 15: return fast_id(sc, r.trigger);
        default: return fast_common(i, sc, r);
      }
    });
  }

  /// Keeps a record that passed every per-line check: its fields go to the
  /// share's JournalBuilder, its line and keys to the checks across lines
  /// (unique ids, trigger references), which are the Reader's.
  template <class R>
  void keep(const R& rec, std::size_t line_no) {
    // The participant hashed once: for the keys and for the share's
    // dictionary, whose entry is asked for while the record is checked.
    const std::uint64_t state = state_of(rec.participant);
    const std::uint64_t participant_hash = folded_multiply(state, hash_key().fold);
    if (same_key_) [[likely]]
      out_->builder.prefetch_participant_name(participant_hash);
    // The model's rules (validate.hpp), with this line as the place; its
    // text's UTF-8 was checked with the whole line (stage 1).
    if (auto bad = detail::record_rules<record_of_t<R>>(rec)) [[unlikely]]
      throw LineError{std::move(bad->field), std::move(bad->reason)};
    if constexpr (std::is_same_v<R, Assessment>) {
      if (auto bad = validate_answers(rec)) [[unlikely]]
        throw LineError{std::move(bad->field), std::move(bad->reason)};
    }
    ShareKeys& k = out_->keys_of<record_of_t<R>>();
    RecordMeta m;
    m.line = line_no;
    if (!rec.id.empty()) {
      m.key = k.bytes.size();
      m.key_hash = key_hash_from(state, rec.id);
      put_key(k.bytes, rec.participant, rec.id);
    }
    if constexpr (requires { rec.trigger; }) {
      if (!rec.trigger.empty()) {
        m.ref = k.bytes.size();
        m.ref_hash = key_hash_from(state, rec.trigger);
        put_key(k.bytes, rec.participant, rec.trigger);
      }
    }
    if (same_key_) [[likely]] {
      out_->builder.push(rec, participant_hash);
    } else {
      out_->push(rec);
    }
    k.meta.push_back(m);
  }

  ShareResult* out_ = nullptr;
  bool same_key_ = false;  ///< the share's dictionary hashes participants as `participant_state` does
  /// The participant `hint_participant` hashed last, and its `participant_state`.
  std::string_view hinted_;
  std::uint64_t hinted_state_ = 0;
  const char* end_ = nullptr;  ///< the end of the line being parsed
  od::parser parser_;          ///< a line alone
  od::parser stream_parser_;   ///< a piece's document stream
  std::size_t stream_capacity_ = 0;
  KeySet unknown_, unknown_nested_;
  /// The first backslash of the line being parsed, or its end: the strings
  /// before it hold none (one scan of the line instead of one per string).
  const char* backslash_ = nullptr;
  // One record of each type, reused line after line (lists keep their capacity).
  TriggerView trigger_;
  ReadingView reading_;
  ExerciseView exercise_;
  ThoughtView thought_;
  Assessment assessment_;  // rare: its strings owned
};

LineParser::LineParser() : impl_(std::make_unique<Impl>()) {}
LineParser::~LineParser() = default;
LineParser::LineParser(LineParser&&) noexcept = default;
LineParser& LineParser::operator=(LineParser&&) noexcept = default;

void LineParser::run(const char* p, const char* end, const char* buffer_end, bool header_allowed,
                     bool lenient, std::size_t max_line_bytes, ShareResult& out) noexcept {
  impl_->run(p, end, buffer_end, header_allowed, lenient, max_line_bytes, out);
}

void set_fast_path(bool on) noexcept {
  fast_path.store(on, std::memory_order_relaxed);
}

std::string LineParser::line_too_long(std::size_t max_line_bytes) {
  return Impl::line_too_long(max_line_bytes);
}

}  // namespace calmkit::detail::jsonl
