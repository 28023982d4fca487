// Exercise definitions <-> JSON (writer by hand, reader with simdjson's DOM).
#include <calmkit/exercises.hpp>
#include <calmkit/hash.hpp>

#include "json_text.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
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

int get_int(simdjson::dom::element v, const std::string& field, std::int64_t lo, std::int64_t hi) {
  std::int64_t i = 0;
  if (v.get_int64().get(i) != simdjson::SUCCESS) fail(field, "must be an integer");
  if (i < lo || i > hi) {
    fail(field, "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(i));
  }
  return static_cast<int>(i);
}

simdjson::dom::object get_object(simdjson::dom::element v, const std::string& field) {
  simdjson::dom::object o;
  if (v.get_object().get(o) != simdjson::SUCCESS) fail(field.empty() ? "" : field, "must be a JSON object");
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
        p.answers = get_int(val, f, -1'000'000, 1'000'000);
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
      e.repeat.count = get_int(val, f, -1'000'000'000, 1'000'000'000);
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

simdjson::dom::element parse_text(simdjson::dom::parser& parser, std::string_view json) {
  simdjson::dom::element root;
  const auto err = parser.parse(json.data(), json.size()).get(root);
  if (err != simdjson::SUCCESS) fail("", std::string("not valid JSON: ") + simdjson::error_message(err));
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
