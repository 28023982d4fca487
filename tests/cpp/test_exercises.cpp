// The exercise catalog, custom definitions, validation and the JSON form.
#include <calmkit/exercises.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace calmkit;

namespace {

// The message of the std::invalid_argument `f` throws ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// The message of the std::out_of_range `f` throws ("" if none).
template <class F>
std::string unknown_id_error(F&& f) {
  try {
    f();
  } catch (const std::out_of_range& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the catalog holds every technique the seeds describe, each valid and sourced") {
  // The ids the issue asks for, in catalog order.
  const std::vector<std::string> expected = {"breathing.extended-exhale",
                                             "breathing.4-7-8",
                                             "breathing.box",
                                             "breathing.coherent",
                                             "breathing.belly",
                                             "breathing.physiological-sigh",
                                             "grounding.5-4-3-2-1",
                                             "grounding.body-awareness",
                                             "relaxation.progressive-muscle",
                                             "tipp.temperature",
                                             "tipp.intense-exercise",
                                             "movement.short-walk",
                                             "movement.gentle-stretch",
                                             "cognitive.three-alternatives",
                                             "cognitive.reality-test",
                                             "cognitive.future-self",
                                             "cognitive.past-or-present",
                                             "cognitive.self-compassion",
                                             "mindfulness.breath",
                                             "mindfulness.body-scan",
                                             "mindfulness.three-breaths",
                                             "mindfulness.name-it",
                                             "mindfulness.self-check",
                                             "pause.before-reacting",
                                             "pause.conflict-break",
                                             "acceptance.radical",
                                             "soothing.senses",
                                             "distraction.activity",
                                             "improving.the-moment"};
  std::vector<std::string> ids;
  for (const auto& e : catalog()) ids.push_back(e.id);
  CHECK(ids == expected);
  // The named constants other code takes the ids from are the same list.
  const std::vector<std::string> constants(exercise_ids::all.begin(), exercise_ids::all.end());
  CHECK(constants == expected);
  CHECK(exercise_ids::grounding_5_4_3_2_1 == "grounding.5-4-3-2-1");

  const std::set<std::string> seeds = {"000_537e22df3a09dbd5.txt", "001_4b86ee1ce1b70c37.txt",
                                       "002_a3dd8ceacfd4ae36.txt", "003_8f421c0a71c7ba3b.txt",
                                       "004_c22b836400dc35d1.txt"};
  for (const auto& e : catalog()) {
    INFO(e.id);
    CHECK_NOTHROW(validate(e));
    CHECK_FALSE(e.name.empty());
    CHECK_FALSE(e.instructions.empty());
    REQUIRE_FALSE(e.sources.empty());
    for (const auto& s : e.sources) CHECK(seeds.count(s) == 1);
    CHECK(find_exercise(e.id) == &e);
  }
  CHECK(find_exercise("breathing.nope") == nullptr);
  CHECK_THROWS_AS(catalog_exercise("breathing.nope"), std::out_of_range);
  // An unknown id is named with the closest ids, nearest first.
  CHECK(unknown_id_error([] { (void)catalog_exercise("breathing.boxx"); }) ==
        "no exercise 'breathing.boxx' in the catalog; did you mean 'breathing.box'?");
  CHECK(unknown_id_error([] { (void)catalog_exercise("zzz"); }) == "no exercise 'zzz' in the catalog");
  const auto registry = ExerciseRegistry::with_catalog();
  CHECK(contains(unknown_id_error([&] { (void)registry.get("breathing.4-7-9"); }),
                 "in the registry; did you mean 'breathing.4-7-8'"));
}

TEST_CASE("catalog facts carried over from the seeds") {
  // 4-7-8: in 4, hold 7, out 8.
  const auto& b478 = catalog_exercise("breathing.4-7-8");
  REQUIRE(b478.steps.size() == 3);
  CHECK(std::get<TimedStep>(b478.steps[0]).seconds == 4);
  CHECK(std::get<TimedStep>(b478.steps[0]).phase == BreathPhase::inhale);
  CHECK(std::get<TimedStep>(b478.steps[1]).seconds == 7);
  CHECK(std::get<TimedStep>(b478.steps[1]).phase == BreathPhase::hold_in);
  CHECK(std::get<TimedStep>(b478.steps[2]).seconds == 8);
  CHECK(std::get<TimedStep>(b478.steps[2]).phase == BreathPhase::exhale);
  // 5-4-3-2-1 collects 5, 4, 3, 2, 1 answers.
  const auto& g = catalog_exercise("grounding.5-4-3-2-1");
  std::vector<int> answers;
  for (const auto& s : g.steps) answers.push_back(std::get<PromptStep>(s).answers);
  CHECK(answers == std::vector<int>{5, 4, 3, 2, 1});
  // Progressive muscle relaxation: tense 5 s, release, toes first.
  const auto& pmr = catalog_exercise("relaxation.progressive-muscle");
  CHECK(std::get<TimedStep>(pmr.steps[0]).seconds == 5);
  CHECK(contains(std::get<TimedStep>(pmr.steps[0]).cue, "toes"));
  // The walk and the conflict break are ten minutes.
  CHECK(catalog_exercise("movement.short-walk").duration_seconds() == 600.0);
  CHECK(std::get<TimedStep>(catalog_exercise("pause.conflict-break").steps[1]).seconds == 600);
  // Cognitive ones are prompts: three alternatives collects 3.
  CHECK(std::get<PromptStep>(catalog_exercise("cognitive.three-alternatives").steps[1]).answers == 3);
  CHECK(
      contains(std::get<PromptStep>(catalog_exercise("cognitive.future-self").steps[1]).text, "Six months"));
}

TEST_CASE("cycles and durations of every timed built-in") {
  struct Row {
    const char* id;
    int cycles;
    double seconds;
  };
  const Row rows[] = {
      {"breathing.extended-exhale", 18, 180},     // 4 + 6 = 10 s; 180 / 10 = 18
      {"breathing.4-7-8", 4, 76},                 // 4 x (4 + 7 + 8)
      {"breathing.box", 19, 304},                 // 300 / 16 = 18.75 -> 19 cycles = 304 s
      {"breathing.coherent", 30, 300},            // 300 / 10 = 30
      {"breathing.belly", 17, 187},               // 180 / 11 = 16.36 -> 17 cycles = 187 s
      {"breathing.physiological-sigh", 5, 45},    // 5 x (2 + 1 + 6)
      {"grounding.body-awareness", 1, 80},        // 4 x 20
      {"relaxation.progressive-muscle", 1, 120},  // 8 groups x (5 + 10)
      {"tipp.temperature", 1, 90},                // 3 x 30
      {"tipp.intense-exercise", 3, 180},          // 3 x (45 + 15)
      {"movement.short-walk", 1, 600},
      {"movement.gentle-stretch", 1, 270},   // 30 + 4 x 45 + 60
      {"mindfulness.breath", 5, 300},        // 5 x 60
      {"mindfulness.body-scan", 1, 240},     // 8 x 30
      {"mindfulness.three-breaths", 3, 30},  // 3 x (4 + 6)
      {"pause.conflict-break", 1, 650},      // 20 + 600 + 30
  };
  std::set<std::string> timed;
  for (const auto& r : rows) {
    INFO(r.id);
    const auto& e = catalog_exercise(r.id);
    CHECK(e.cycles() == r.cycles);
    REQUIRE(e.duration_seconds().has_value());
    CHECK(*e.duration_seconds() == r.seconds);
    timed.insert(r.id);
  }
  // Every other entry has prompts and no fixed length.
  for (const auto& e : catalog()) {
    if (timed.count(e.id)) continue;
    INFO(e.id);
    CHECK(e.has_prompts());
    CHECK_FALSE(e.duration_seconds().has_value());
  }
}

TEST_CASE("a total duration rounds up to whole cycles, ignoring floating-point noise") {
  auto box = breathing_pattern("my.box", "Box", 4, 4, 4, 4, Repeat::for_seconds(300));
  CHECK(box.cycles() == 19);  // 18.75 rounded up
  CHECK(*box.duration_seconds() == 304);
  auto even = breathing_pattern("my.even", "Even", 5, 0, 10, 0, Repeat::for_seconds(300));
  CHECK(even.cycles() == 20);  // exactly 300 / 15
  // 0.1 + 0.2 = 0.30000000000000004; 0.9 / that = 2.9999999999999996, which is 3 cycles, not 3 rounded up
  // to 4.
  auto tiny = breathing_pattern("my.tiny", "Tiny", 0.1, 0, 0.2, 0, Repeat::for_seconds(0.9));
  CHECK(tiny.cycles() == 3);
  auto shorter = breathing_pattern("my.short", "Short", 4, 7, 8, 0, Repeat::for_seconds(5));
  CHECK(shorter.cycles() == 1);  // less than one cycle asked: one whole cycle
}

TEST_CASE("breathing_pattern builds phases and leaves out zero-length ones") {
  auto p = breathing_pattern("me.478", "Mine", 4, 7, 8, 0, Repeat::times(2));
  REQUIRE(p.steps.size() == 3);  // hold_out of 0 s is left out
  CHECK(std::get<TimedStep>(p.steps[2]).phase == BreathPhase::exhale);
  CHECK(p.kind == ExerciseKind::breathing);
  CHECK(p.cycles() == 2);
  CHECK(*p.duration_seconds() == 38);
  CHECK(p.instructions == "Breathe in for 4, hold for 7, breathe out for 8 seconds.");
}

TEST_CASE("bad breathing patterns get errors naming the field") {
  auto err = [](auto f) { return error_of(f); };
  CHECK(contains(err([] { (void)breathing_pattern("x", "X", 0, 0, 0, 0); }), "zero-length cycle"));
  CHECK(contains(err([] { (void)breathing_pattern("x", "X", 4, -1, 4, 0); }), "field 'hold_in'"));
  CHECK(contains(err([] { (void)breathing_pattern("x", "X", std::nan(""), 0, 4, 0); }), "field 'inhale'"));
  CHECK(contains(
      err([] { (void)breathing_pattern("x", "X", 4, 0, std::numeric_limits<double>::infinity(), 0); }),
      "field 'exhale'"));
  CHECK(contains(err([] { (void)breathing_pattern("", "X", 4, 0, 4, 0); }), "field 'id'"));
  CHECK(contains(err([] { (void)breathing_pattern("x", "", 4, 0, 4, 0); }), "field 'name'"));
  CHECK(contains(err([] { (void)breathing_pattern("x", "X", 4, 0, 4, 0, Repeat::times(0)); }),
                 "field 'repeats'"));
  CHECK(contains(err([] { (void)breathing_pattern("x", "X", 4, 0, 4, 0, Repeat::for_seconds(-5)); }),
                 "field 'total_seconds'"));
  CHECK(
      contains(err([] { (void)breathing_pattern("x", "X", 4, 0, 4, 0, Repeat::for_seconds(std::nan(""))); }),
               "field 'total_seconds'"));
  // A tiny cycle over a long total would never end: refused.
  CHECK(contains(err([] { (void)breathing_pattern("x", "X", 1e-6, 0, 1e-6, 0, Repeat::for_seconds(3600)); }),
                 "more than 100000 cycles"));
}

TEST_CASE("validate names the broken field of a stepped exercise") {
  Exercise e{"me.ground",
             "Ground",
             ExerciseKind::grounding,
             Suits::acute,
             "",
             {},
             {PromptStep{"See", 5}, TimedStep{10, BreathPhase::none, "Rest"}},
             Repeat::times(1)};
  CHECK_NOTHROW(validate(e));

  auto zero_answers = e;
  std::get<PromptStep>(zero_answers.steps[0]).answers = 0;
  CHECK(error_of([&] { validate(zero_answers); }) ==
        "exercise 'me.ground': field 'steps[0].answers': must be 1..100 answers to collect, got 0");

  auto neg = e;
  std::get<TimedStep>(neg.steps[1]).seconds = -3;
  CHECK(error_of([&] { validate(neg); }) ==
        "exercise 'me.ground': field 'steps[1].seconds': must be a finite number of seconds > 0, got -3");

  auto empty_text = e;
  std::get<PromptStep>(empty_text.steps[0]).text.clear();
  CHECK(contains(error_of([&] { validate(empty_text); }), "field 'steps[0].text'"));

  auto no_steps = e;
  no_steps.steps.clear();
  CHECK(contains(error_of([&] { validate(no_steps); }), "field 'steps'"));

  auto total_with_prompts = e;
  total_with_prompts.repeat = Repeat::for_seconds(60);
  CHECK(contains(error_of([&] { validate(total_with_prompts); }), "prompts have no length"));

  auto spaced = e;
  spaced.id = "me ground";
  CHECK(contains(error_of([&] { validate(spaced); }), "field 'id'"));

  auto bad_source = e;
  bad_source.sources = {""};
  CHECK(contains(error_of([&] { validate(bad_source); }), "field 'sources[0]'"));
}

TEST_CASE("a registry holds the catalog plus custom exercises with unique ids") {
  auto reg = ExerciseRegistry::with_catalog();
  CHECK(reg.size() == catalog().size());
  reg.add(breathing_pattern("me.slow", "Slow", 5, 0, 7, 0));
  CHECK(reg.size() == catalog().size() + 1);
  CHECK(reg.get("me.slow").cycles() == 4);  // the default Repeat::times(4)
  CHECK(reg.find("breathing.box") != nullptr);
  CHECK(reg.find("nope") == nullptr);
  CHECK_THROWS_AS(reg.get("nope"), std::out_of_range);
  CHECK(error_of([&] { reg.add(breathing_pattern("breathing.box", "Mine", 4, 4, 4, 4)); }) ==
        "exercise registry: field 'id': duplicate exercise id 'breathing.box'");
  Exercise invalid;
  CHECK(contains(error_of([&] { reg.add(invalid); }), "field 'id'"));
  CHECK(reg.size() == catalog().size() + 1);  // failed adds leave it unchanged
}

TEST_CASE("every catalog entry and custom definitions round-trip through JSON") {
  for (const auto& e : catalog()) {
    INFO(e.id);
    CHECK(exercise_from_json(to_json(e)) == e);
  }
  Exercise custom{"me.odd \"one\"",
                  "Quotes \"and\" \\ back\nslash\ttab \x01",
                  ExerciseKind::sensory_soothing,
                  Suits::daily,
                  "Ünïcödé — fine",
                  {"my notes"},
                  {TimedStep{4.5, BreathPhase::inhale, ""}, TimedStep{0.1, BreathPhase::hold_out, "tiny"}},
                  Repeat::for_seconds(90.25)};
  custom.id = "me.odd";  // ids cannot hold spaces; the name can hold anything
  const auto text = to_json(custom);
  CHECK(exercise_from_json(text) == custom);
  CHECK(contains(text, "\"total_seconds\":90.25"));
  CHECK(contains(text, "\\u0001"));

  const auto all = to_json(catalog());
  const auto back = exercises_from_json(all);
  REQUIRE(back.size() == catalog().size());
  CHECK(std::equal(back.begin(), back.end(), catalog().begin()));
}

TEST_CASE("the JSON form as written") {
  auto p = breathing_pattern("me.44", "Four four", 4, 0, 4, 0, Repeat::times(3));
  CHECK(to_json(p) == R"({"id":"me.44","name":"Four four","kind":"breathing","suits":"both",)"
                      R"("instructions":"Breathe in for 4, breathe out for 4 seconds.","repeats":3,"steps":[)"
                      R"({"type":"timed","seconds":4,"phase":"inhale","cue":"Breathe in"},)"
                      R"({"type":"timed","seconds":4,"phase":"exhale","cue":"Breathe out"}]})");
}

TEST_CASE("bad JSON definitions get errors naming the field") {
  auto field_of = [](const std::string& text) -> std::string {
    try {
      (void)exercise_from_json(text);
    } catch (const ExerciseFormatError& e) {
      return e.field();
    }
    return "<no error>";
  };
  const std::string head = R"({"id":"x","name":"X","kind":"breathing",)";
  CHECK(field_of("{not json") == "");
  CHECK(field_of("[]") == "");
  CHECK(field_of(R"({"name":"X","kind":"breathing","steps":[]})") == "id");
  CHECK(field_of(head + R"("steps":[{"type":"timed","seconds":"4"}]})") == "steps[0].seconds");
  CHECK(field_of(head + R"("steps":[{"type":"timed","seconds":4},{"type":"timed","seconds":-1}]})") ==
        "steps[1].seconds");
  CHECK(field_of(head + R"("steps":[{"type":"timed","seconds":4,"phase":"gasp"}]})") == "steps[0].phase");
  CHECK(field_of(head + R"("steps":[{"type":"walk"}]})") == "steps[0].type");
  CHECK(field_of(head + R"("steps":[{"seconds":4}]})") == "steps[0].type");
  CHECK(field_of(head + R"("steps":[{"type":"prompt","text":"See","answers":0}]})") == "steps[0].answers");
  CHECK(field_of(head + R"("steps":[{"type":"prompt","answers":2}]})") == "steps[0].text");
  CHECK(field_of(head + R"("steps":[{"type":"timed","seconds":4}],"colour":"blue"})") == "colour");
  CHECK(field_of(head + R"("steps":[{"type":"timed","seconds":4}],"repeats":2,"total_seconds":60})") ==
        "total_seconds");
  CHECK(field_of(head + R"("steps":[{"type":"timed","seconds":4}],"repeats":1.5})") == "repeats");
  CHECK(field_of(R"({"id":"x","name":"X","kind":"juggling","steps":[]})") == "kind");
  CHECK(field_of(head + R"("suits":"sometimes","steps":[]})") == "suits");
  CHECK(field_of(head + R"("steps":[]})") == "steps");

  // The message carries the field too.
  try {
    (void)exercise_from_json(head + R"("steps":[{"type":"timed","seconds":0}]})");
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) ==
          "exercise JSON: field 'steps[0].seconds': must be a finite number of seconds > 0, got 0");
  }
  // In an array, the path starts with the index; duplicate ids are refused.
  const std::string one = head + R"("steps":[{"type":"timed","seconds":4}]})";
  try {
    (void)exercises_from_json("[" + one + "," + one + "]");
    FAIL("no error");
  } catch (const ExerciseFormatError& e) {
    CHECK(e.field() == "[1].id");
    CHECK(contains(e.what(), "duplicate exercise id 'x'"));
  }
  try {
    (void)exercises_from_json("[" + one +
                              R"(,{"id":"y","name":"Y","kind":"breathing","steps":[{"type":"timed"}]}])");
    FAIL("no error");
  } catch (const ExerciseFormatError& e) {
    CHECK(e.field() == "[1].steps[0].seconds");
  }
}

TEST_CASE("a key given twice in a definition is refused, named, in the journal format's words") {
  const std::string head = R"({"id":"x","name":"X","kind":"breathing",)";
  const std::string steps = R"("steps":[{"type":"timed","seconds":4}])";
  auto error = [](const std::string& text) -> std::pair<std::string, std::string> {
    try {
      (void)exercise_from_json(text);
    } catch (const ExerciseFormatError& e) {
      return {e.field(), e.reason()};
    }
    return {"<no error>", ""};
  };
  const std::pair<std::string, std::string> twice{"id", "duplicate key in one object"};
  CHECK(error(head + R"("id":"y",)" + steps + "}") == twice);
  CHECK(error(head + steps + "," + steps + "}").first == "steps");  // not two arrays joined
  CHECK(error(head + R"("steps":[{"type":"timed","seconds":4,"seconds":40}]})").first == "steps[0].seconds");
  CHECK(error(head + R"("steps":[{"type":"timed","type":"prompt","text":"a"}]})").first == "steps[0].type");
  CHECK(error(head + R"("steps":[{"type":"prompt","text":"a","text":"b"}]})").first == "steps[0].text");
  CHECK(error(head + R"("sources":["a"],"sources":["b"],)" + steps + "}").first == "sources");
  // In an array of definitions, with the index.
  try {
    (void)exercises_from_json("[" + head + R"("name":"Y",)" + steps + "}]");
    FAIL("no error");
  } catch (const ExerciseFormatError& e) {
    CHECK(e.field() == "[0].name");
    CHECK(e.reason() == "duplicate key in one object");
  }
}

TEST_CASE("answers and repeats are judged by their own rule for any integer") {
  auto error = [](const std::string& text) -> std::string {
    try {
      (void)exercise_from_json(text);
    } catch (const ExerciseFormatError& e) {
      return e.what();
    }
    return "<no error>";
  };
  const std::string head = R"({"id":"x","name":"X","kind":"grounding",)";
  auto answers = [&](const std::string& n) {
    return error(head + R"("steps":[{"type":"prompt","text":"a","answers":)" + n + "}]}");
  };
  auto repeats = [&](const std::string& n) {
    return error(head + R"("repeats":)" + n + R"(,"steps":[{"type":"prompt","text":"a"}]})");
  };
  const std::string a = "exercise JSON: field 'steps[0].answers': must be 1..100 answers to collect, got ";
  CHECK(answers("0") == a + "0");
  CHECK(answers("101") == a + "101");
  CHECK(answers("-5") == a + "-5");
  CHECK(answers("2000000") == a + "2000000");
  CHECK(answers("4294967297") == a + "4294967297");  // would be 1 cut to 32 bits
  CHECK(answers("18446744073709551615") == a + "18446744073709551615");
  CHECK(answers("2.5") == "exercise JSON: field 'steps[0].answers': must be an integer");
  CHECK(answers("100") == "<no error>");
  const std::string r = "exercise JSON: field 'repeats': must be 1..100000 cycles, got ";
  CHECK(repeats("0") == r + "0");
  CHECK(repeats("-2000000000") == r + "-2000000000");
  CHECK(repeats("2000000000") == r + "2000000000");
  CHECK(repeats("100001") == r + "100001");
  CHECK(repeats("100000") == "<no error>");
}

TEST_CASE("text that is not JSON says what and where, in the journal reader's words") {
  auto error = [](const std::string& text) -> std::string {
    try {
      (void)exercise_from_json(text);
    } catch (const ExerciseFormatError& e) {
      CHECK(e.field().empty());
      return e.reason();
    }
    return "<no error>";
  };
  const std::string file =
      "{\"id\": \"me.a\", \"name\": \"A\", \"kind\": \"breathing\", \"repeats\": 3,\n"
      " \"steps\": [{\"type\": \"timed\", \"seconds\": 4, \"cue\": \"In\"}]}\n";
  REQUIRE(error(file) == "<no error>");
  auto with = [&file](const std::string& from, const std::string& to) {
    std::string s = file;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  // A string left open: where it opens (it runs on past the line break).
  CHECK(error(with("\"In\"", "\"In")) ==
        "invalid JSON: a string is not closed (the string opening at line 2, column 51)");
  CHECK(error(with("\"In\"}]}\n", "\"In}]}")) ==
        "invalid JSON: a string is not closed (the string opening at line 2, column 51)");
  // A raw control character inside a string.
  CHECK(error(with("\"In\"", "\"I\tn\"")) ==
        "invalid JSON: a control character inside a string must be escaped (the string opening at line 2, "
        "column 51)");
  // A comma left out, and one too many: at the token after.
  CHECK(contains(error(with("\"repeats\": 3,", "\"repeats\": 3")), "(at line 2, column 2)"));
  CHECK(contains(error(with("\"seconds\": 4", "\"seconds\": 4,")), "invalid JSON: "));
  CHECK(contains(error(with("\"seconds\": 4", "\"seconds\": tru")), "(at line 2, column "));
  // Bytes that are not UTF-8: the journal format's words, with the offset.
  CHECK(error(with("\"A\"", "\"A\xE9\"")) ==
        "the text is not valid UTF-8 (byte 0xe9 at offset 25) (at line 1, column 26)");
}

TEST_CASE("kind, suits and phase ids map both ways") {
  for (const auto& row : exercise_kind_table) CHECK(exercise_kind_from_id(to_id(row.value)) == row.value);
  for (const auto& row : suits_table) CHECK(suits_from_id(to_id(row.value)) == row.value);
  for (const auto& row : breath_phase_table) CHECK(breath_phase_from_id(to_id(row.value)) == row.value);
  CHECK(to_id(ExerciseKind::muscle_relaxation) == "muscle_relaxation");
  CHECK(label(BreathPhase::hold_in) == "Hold (full)");
  CHECK_FALSE(exercise_kind_from_id("yoga").has_value());
}
