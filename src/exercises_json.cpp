// Exercise definitions <-> JSON (writer by hand, reader with simdjson's DOM).
#include <calmkit/exercises.hpp>
#include <calmkit/hash.hpp>
#include <calmkit/validate.hpp>

#include "exercise_rules.hpp"
#include "json_reasons.hpp"
#include "json_text.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace calmkit {
namespace detail {
namespace {

void put_number(std::string& out, double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  out.append(buf, r.ptr);
}

void put_exercise(std::string& out, const Exercise& e) {
  out += "{\"id\":";
  put_json_string(out, e.id);
  out += ",\"name\":";
  put_json_string(out, e.name);
  out += ",\"kind\":";
  put_json_string(out, to_id(e.kind));
  out += ",\"suits\":";
  put_json_string(out, to_id(e.suits));
  if (!e.instructions.empty()) {
    out += ",\"instructions\":";
    put_json_string(out, e.instructions);
  }
  if (!e.sources.empty()) {
    out += ",\"sources\":[";
    for (std::size_t i = 0; i < e.sources.size(); ++i) {
      if (i) out += ',';
      put_json_string(out, e.sources[i]);
    }
    out += ']';
  }
  if (e.repeat.total_seconds) {
    out += ",\"total_seconds\":";
    put_number(out, *e.repeat.total_seconds);
  } else {
    out += ",\"repeats\":";
    out += std::to_string(e.repeat.count);
  }
  out += ",\"steps\":[";
  for (std::size_t i = 0; i < e.steps.size(); ++i) {
    if (i) out += ',';
    if (const auto* t = std::get_if<TimedStep>(&e.steps[i])) {
      out += "{\"type\":\"timed\",\"seconds\":";
      put_number(out, t->seconds);
      if (t->phase != BreathPhase::none) {
        out += ",\"phase\":";
        put_json_string(out, to_id(t->phase));
      }
      if (!t->cue.empty()) {
        out += ",\"cue\":";
        put_json_string(out, t->cue);
      }
      out += '}';
    } else {
      const auto& p = std::get<PromptStep>(e.steps[i]);
      out += "{\"type\":\"prompt\",\"text\":";
      put_json_string(out, p.text);
      out += ",\"answers\":";
      out += std::to_string(p.answers);
      out += '}';
    }
  }
  out += "]}";
}

[[noreturn, gnu::cold]] void fail(const std::string& field, const std::string& reason) {
  throw ExerciseFormatError(field, reason);
}

std::string join(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string get_string(simdjson::dom::element v, const std::string& field) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) fail(field, "must be a string");
  return std::string(s);
}

double get_double(simdjson::dom::element v, const std::string& field) {
  double d = 0;
  if (v.get_double().get(d) != simdjson::SUCCESS) fail(field, "must be a number");
  return d;
}

/// A count judged by its field's rule (`ok`, worded `rule`) for any JSON
/// integer, also one beyond int's or int64's range; the rule keeps it in int.
int get_count(simdjson::dom::element v, const std::string& field, bool (*ok)(std::int64_t) noexcept,
              std::string_view rule) {
  std::int64_t i = 0;
  std::uint64_t u = 0;
  if (v.get_int64().get(i) == simdjson::SUCCESS) {
    if (!ok(i)) fail(field, std::string(rule) + ", got " + std::to_string(i));
    return static_cast<int>(i);
  }
  if (v.get_uint64().get(u) == simdjson::SUCCESS)
    fail(field, std::string(rule) + ", got " + std::to_string(u));
  fail(field, "must be an integer");
}

/// The object at `field`, each key in it once (the journal format's rule, in
/// its words: a key given twice is refused, named as the field).
simdjson::dom::object get_object(simdjson::dom::element v, const std::string& field) {
  simdjson::dom::object o;
  if (v.get_object().get(o) != simdjson::SUCCESS) fail(field.empty() ? "" : field, "must be a JSON object");
  std::unordered_set<std::string_view, detail::KeyedHash> keys;  // keys from a file: keyed (hash.hpp)
  for (auto [key, val] : o) {
    if (!keys.insert(key).second) fail(join(field, key), std::string(duplicate_key));
  }
  return o;
}

simdjson::dom::array get_array(simdjson::dom::element v, const std::string& field) {
  simdjson::dom::array a;
  if (v.get_array().get(a) != simdjson::SUCCESS) fail(field, "must be an array");
  return a;
}

Step parse_step(simdjson::dom::element v, const std::string& at) {
  auto obj = get_object(v, at);
  std::string type;
  bool have_type = false;
  for (auto [key, val] : obj) {
    if (key == "type") {
      type = get_string(val, join(at, "type"));
      have_type = true;
    }
  }
  if (!have_type) fail(join(at, "type"), "missing; must be \"timed\" or \"prompt\"");
  if (type == "timed") {
    TimedStep t;
    bool have_seconds = false;
    for (auto [key, val] : obj) {
      const std::string f = join(at, key);
      if (key == "type") continue;
      if (key == "seconds") {
        t.seconds = get_double(val, f);
        have_seconds = true;
      } else if (key == "phase") {
        const auto id = get_string(val, f);
        auto p = breath_phase_from_id(id);
        if (!p) fail(f, "unknown breathing phase '" + id + "' (inhale, hold_in, exhale, hold_out, none)");
        t.phase = *p;
      } else if (key == "cue") {
        t.cue = get_string(val, f);
      } else {
        fail(f, "unknown field for a timed step");
      }
    }
    if (!have_seconds) fail(join(at, "seconds"), "missing");
    return t;
  }
  if (type == "prompt") {
    PromptStep p;
    bool have_text = false;
    for (auto [key, val] : obj) {
      const std::string f = join(at, key);
      if (key == "type") continue;
      if (key == "text") {
        p.text = get_string(val, f);
        have_text = true;
      } else if (key == "answers") {
        p.answers = get_count(val, f, answers_ok, answers_rule);
      } else {
        fail(f, "unknown field for a prompt step");
      }
    }
    if (!have_text) fail(join(at, "text"), "missing");
    return p;
  }
  fail(join(at, "type"), "must be \"timed\" or \"prompt\", got \"" + type + "\"");
}

Exercise parse_exercise(simdjson::dom::element v, const std::string& prefix) {
  auto obj = get_object(v, prefix);
  Exercise e;
  bool have_id = false, have_name = false, have_kind = false, have_steps = false, have_repeats = false;
  for (auto [key, val] : obj) {
    const std::string f = join(prefix, key);
    if (key == "id") {
      e.id = get_string(val, f);
      have_id = true;
    } else if (key == "name") {
      e.name = get_string(val, f);
      have_name = true;
    } else if (key == "kind") {
      const auto id = get_string(val, f);
      auto k = exercise_kind_from_id(id);
      if (!k) fail(f, "unknown exercise kind '" + id + "'");
      e.kind = *k;
      have_kind = true;
    } else if (key == "suits") {
      const auto id = get_string(val, f);
      auto s = suits_from_id(id);
      if (!s) fail(f, "must be \"acute\", \"daily\" or \"both\", got \"" + id + "\"");
      e.suits = *s;
    } else if (key == "instructions") {
      e.instructions = get_string(val, f);
    } else if (key == "sources") {
      std::size_t i = 0;
      for (auto s : get_array(val, f))
        e.sources.push_back(get_string(s, f + "[" + std::to_string(i++) + "]"));
    } else if (key == "repeats") {
      e.repeat.count = get_count(val, f, repeats_ok, repeats_rule);
      have_repeats = true;
    } else if (key == "total_seconds") {
      e.repeat.total_seconds = get_double(val, f);
    } else if (key == "steps") {
      std::size_t i = 0;
      for (auto s : get_array(val, f)) {
        e.steps.push_back(parse_step(s, f + "[" + std::to_string(i) + "]"));
        ++i;
      }
      have_steps = true;
    } else {
      fail(f, "unknown field");
    }
  }
  if (!have_id) fail(join(prefix, "id"), "missing");
  if (!have_name) fail(join(prefix, "name"), "missing");
  if (!have_kind) fail(join(prefix, "kind"), "missing");
  if (!have_steps) fail(join(prefix, "steps"), "missing");
  if (have_repeats && e.repeat.total_seconds) {
    fail(join(prefix, "total_seconds"), "give either repeats or total_seconds, not both");
  }
  // The model's rules, reported with the JSON path of the field they name.
  try {
    validate(e);
  } catch (const std::invalid_argument& err) {
    std::string msg = err.what();
    // validate() says: exercise 'ID': field 'F': REASON
    const auto fpos = msg.find("field '");
    if (fpos != std::string::npos) {
      const auto fend = msg.find("': ", fpos + 7);
      if (fend != std::string::npos) {
        fail(join(prefix, msg.substr(fpos + 7, fend - fpos - 7)), msg.substr(fend + 3));
      }
    }
    fail(prefix, msg);
  }
  return e;
}

/// `line L, column C` (both from 1, the column in characters) of byte
/// `offset` of `text`: a definition is a file a person writes, read in an editor.
std::string line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      ++column;  // a character's first byte
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// Where a string goes wrong: the byte offset of the opening quote of the
/// first string holding a raw control character (a line break: a string
/// left open runs on to the next line, which JSON does not allow), or of
/// the last string when it is not closed at the end; npos when none does.
std::size_t open_string(std::string_view json) noexcept {
  std::size_t open = std::string_view::npos;  // the quote of the string we are in
  for (std::size_t i = 0; i < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    if (open == std::string_view::npos) {
      if (c == '"') open = i;
    } else if (c == '\\') {
      ++i;
    } else if (c == '"') {
      open = std::string_view::npos;
    } else if (c < 0x20) {
      return open;
    }
  }
  return open;
}

namespace od = simdjson::ondemand;

/// Reads `v` to its end with simdjson's On-Demand parser, which stops at the
/// first token that breaks JSON's grammar (the DOM parser only says that
/// one does): the first error, or SUCCESS.
simdjson::error_code walk(od::value v) {
  od::json_type type{};
  if (auto e = v.type().get(type)) return e;
  switch (type) {
    case od::json_type::object: {
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      for (auto fr : o) {
        od::field fld;
        if (auto e = std::move(fr).get(fld)) return e;
        std::string_view key;
        if (auto e = fld.unescaped_key().get(key)) return e;
        if (auto e = walk(fld.value())) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      if (auto e = v.get_array().get(a)) return e;
      for (auto er : a) {
        od::value item;
        if (auto e = er.get(item)) return e;
        if (auto e = walk(item)) return e;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::number: return v.get_number().error();
    case od::json_type::string: return v.get_string().error();
    case od::json_type::boolean: return v.get_bool().error();
    case od::json_type::null: {
      bool null = false;
      if (auto e = v.is_null().get(null)) return e;
      return null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::SUCCESS;
}

/// The byte offset in `json` of what simdjson refused as `err`, when it can
/// be found (npos otherwise): the first byte that is not UTF-8, a string
/// left open, or the token the On-Demand walk stops at.
std::size_t invalid_at(std::string_view json, simdjson::error_code err) {
  if (err == simdjson::UTF8_ERROR) return first_invalid_utf8(json);
  if (err == simdjson::UNCLOSED_STRING || err == simdjson::UNESCAPED_CHARS) return open_string(json);
  const simdjson::padded_string text(json);
  od::parser parser;
  od::document doc;
  if (parser.iterate(text).get(doc) != simdjson::SUCCESS) return std::string_view::npos;
  od::value root;
  auto e = doc.get_value().get(root);
  if (e == simdjson::SUCCESS) e = walk(root);
  const char* at = nullptr;
  if (doc.current_location().get(at) != simdjson::SUCCESS) return std::string_view::npos;
  (void)e;
  return static_cast<std::size_t>(at - text.data());
}

simdjson::dom::element parse_text(simdjson::dom::parser& parser, std::string_view json) {
  simdjson::dom::element root;
  const auto err = parser.parse(json.data(), json.size()).get(root);
  if (err != simdjson::SUCCESS) [[unlikely]] {
    std::string reason = invalid_json_reason(err);
    if (err == simdjson::UTF8_ERROR) {
      const auto at = first_invalid_utf8(json);
      if (at != std::string_view::npos)
        reason = "the text " + rules::not_utf8(static_cast<unsigned char>(json[at]), at);
    }
    if (const auto at = invalid_at(json, err); at != std::string_view::npos)
      reason +=
          (err == simdjson::UNCLOSED_STRING || err == simdjson::UNESCAPED_CHARS ? " (the string opening at "
                                                                                : " (at ") +
          line_and_column(json, at) + ")";
    fail("", reason);
  }
  return root;
}

}  // namespace
}  // namespace detail

std::string to_json(const Exercise& exercise) {
  std::string out;
  detail::put_exercise(out, exercise);
  return out;
}

std::string to_json(std::span<const Exercise> exercises) {
  std::string out = "[";
  for (std::size_t i = 0; i < exercises.size(); ++i) {
    if (i) out += ",\n ";
    detail::put_exercise(out, exercises[i]);
  }
  out += "]";
  return out;
}

Exercise exercise_from_json(std::string_view json) {
  simdjson::dom::parser parser;
  return detail::parse_exercise(detail::parse_text(parser, json), "");
}

std::vector<Exercise> exercises_from_json(std::string_view json) {
  simdjson::dom::parser parser;
  auto root = detail::parse_text(parser, json);
  std::vector<Exercise> out;
  std::unordered_set<std::string, detail::KeyedHash> ids;
  std::size_t i = 0;
  for (auto v : detail::get_array(root, "")) {
    const std::string at = "[" + std::to_string(i++) + "]";
    auto e = detail::parse_exercise(v, at);
    if (!ids.insert(e.id).second) detail::fail(at + ".id", "duplicate exercise id '" + e.id + "'");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace calmkit
