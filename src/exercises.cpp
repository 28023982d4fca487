// The built-in exercise catalog, validation, breathing patterns and the registry.
//
// Every entry cites the seed text(s) that describe the technique by file name.
// The facts (counts, durations, order) come from those texts; the names and
// instructions are calmkit's own words.
#include <calmkit/exercises.hpp>

#include "exercise_rules.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calmkit {

namespace detail {
namespace {

// The five seed texts in /shared/seeds, by file name.
constexpr const char* s000 = "000_537e22df3a09dbd5.txt";  // introvert's guide: extended exhale, cold water,
                                                          // walk, three alternatives, future self
constexpr const char* s001 =
    "001_4b86ee1ce1b70c37.txt";  // distress tolerance: mindfulness, distraction, soothing, acceptance,
                                 // improving the moment, belly breathing, PMR, grounding, yoga
constexpr const char* s002 =
    "002_a3dd8ceacfd4ae36.txt";  // long guide: 4-7-8, box, coherent, TIPP, body scan, CBT, pauses
constexpr const char* s003 = "003_8f421c0a71c7ba3b.txt";  // what works: tolerating the window of uncertainty
constexpr const char* s004 =
    "004_c22b836400dc35d1.txt";  // roadmap: pause before reacting, self-check, thoughts vs reality

TimedStep breath(BreathPhase p, double s, std::string cue) {
  return TimedStep{s, p, std::move(cue)};
}
TimedStep timed(double s, std::string cue) {
  return TimedStep{s, BreathPhase::none, std::move(cue)};
}
PromptStep prompt(std::string text, int answers = 1) {
  return PromptStep{std::move(text), answers};
}

std::string fmt_number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

[[noreturn]] void bad(const Exercise& e, const std::string& field, const std::string& why) {
  throw_invalid("exercise '" + e.id + "': field '" + field + "': " + why);
}

std::vector<Exercise> build_catalog() {
  using BP = BreathPhase;
  std::vector<Exercise> c;
  auto add = [&c](Exercise e) { c.push_back(std::move(e)); };

  // --- breathing -----------------------------------------------------------
  add({std::string(exercise_ids::breathing_extended_exhale),
       "Longer out-breath",
       ExerciseKind::breathing,
       Suits::both,
       "Breathe in through the nose for a count of four, then let the air out slowly for six. "
       "A breath out that is longer than the breath in tells the body it can stand down; a few "
       "minutes are usually enough to think more clearly.",
       {s000},
       {breath(BP::inhale, 4, "In through the nose"), breath(BP::exhale, 6, "Slowly out, longer than in")},
       Repeat::for_seconds(180)});
  add({std::string(exercise_ids::breathing_4_7_8),
       "4-7-8 breath",
       ExerciseKind::breathing,
       Suits::both,
       "Breathe in for four counts, keep the air in for seven, and breathe out for eight. "
       "Four rounds are plenty to begin with.",
       {s002},
       {breath(BP::inhale, 4, "Breathe in"), breath(BP::hold_in, 7, "Hold"),
        breath(BP::exhale, 8, "Breathe all the way out")},
       Repeat::times(4)});
  add({std::string(exercise_ids::breathing_box),
       "Box breathing",
       ExerciseKind::breathing,
       Suits::both,
       "Four equal sides: in for four, hold for four, out for four, hold for four. "
       "Easy to do anywhere, unnoticed.",
       {s002},
       {breath(BP::inhale, 4, "In"), breath(BP::hold_in, 4, "Hold"), breath(BP::exhale, 4, "Out"),
        breath(BP::hold_out, 4, "Hold")},
       Repeat::for_seconds(300)});
  add({std::string(exercise_ids::breathing_coherent),
       "Even breathing",
       ExerciseKind::breathing,
       Suits::daily,
       "Five seconds in, five seconds out, smooth and even with no pause. Practise it when calm "
       "so the rhythm is there when you need it.",
       {s002},
       {breath(BP::inhale, 5, "Smoothly in"), breath(BP::exhale, 5, "Smoothly out")},
       Repeat::for_seconds(300)});
  add({std::string(exercise_ids::breathing_belly),
       "Belly breathing",
       ExerciseKind::breathing,
       Suits::both,
       "Sit or lie comfortably with one hand on the chest and one on the belly. Breathe in "
       "slowly through the nose so the belly hand rises, then out through the mouth as it "
       "sinks. Keep going for a few minutes.",
       {s001},
       {breath(BP::inhale, 5, "Slowly in through the nose; belly rises"),
        breath(BP::exhale, 6, "Out through the mouth; belly falls")},
       Repeat::for_seconds(180)});
  add({std::string(exercise_ids::breathing_physiological_sigh),
       "Double in-breath sigh",
       ExerciseKind::breathing,
       Suits::acute,
       "Two in-breaths through the nose, a long one and then a short top-up, followed by a long, "
       "slow breath out through the mouth. A quick way to take the edge off.",
       {s002},
       {breath(BP::inhale, 2, "Breathe in"), breath(BP::inhale, 1, "A little more"),
        breath(BP::exhale, 6, "Long, slow breath out")},
       Repeat::times(5)});

  // --- grounding -----------------------------------------------------------
  add({std::string(exercise_ids::grounding_5_4_3_2_1),
       "5-4-3-2-1 senses",
       ExerciseKind::grounding,
       Suits::acute,
       "Pull attention out of the story and into the room, one sense at a time, naming each "
       "thing as you find it.",
       {s000, s001, s002},
       {prompt("Name five things you can see", 5), prompt("Name four things you can touch or feel", 4),
        prompt("Name three things you can hear", 3), prompt("Name two things you can smell", 2),
        prompt("Name one thing you can taste", 1)},
       Repeat::times(1)});
  add({std::string(exercise_ids::grounding_body_awareness),
       "Where my body is",
       ExerciseKind::grounding,
       Suits::both,
       "Rest attention on plain physical contact: feet on the floor, hands where they lie, the "
       "seat holding you up.",
       {s001},
       {timed(20, "Feel your feet against the floor"), timed(20, "Notice your hands and what they rest on"),
        timed(20, "Feel the chair or floor carrying your weight"),
        timed(20, "Notice the air on your skin and the breath moving")},
       Repeat::times(1)});

  // --- muscle relaxation -----------------------------------------------------
  {
    Exercise pmr{std::string(exercise_ids::relaxation_progressive_muscle),
                 "Tense and release",
                 ExerciseKind::muscle_relaxation,
                 Suits::both,  // daily practice (001), and a TIPP skill for intense moments (002)
                 "Working from the toes upwards, squeeze each group of muscles hard for about five "
                 "seconds, then let go all at once and feel the difference for ten.",
                 {s001, s002},
                 {},
                 Repeat::times(1)};
    for (const char* group : {"toes and feet", "calves", "thighs", "hips and seat", "belly", "hands and arms",
                              "shoulders and neck", "face and jaw"}) {
      pmr.steps.emplace_back(timed(5, std::string("Tense your ") + group));
      pmr.steps.emplace_back(timed(10, std::string("Release your ") + group + " and notice the change"));
    }
    add(std::move(pmr));
  }

  // --- TIPP ------------------------------------------------------------------
  add({std::string(exercise_ids::tipp_temperature),
       "Cold water reset",
       ExerciseKind::temperature,
       Suits::acute,
       "Cold water on the face or wrists sets off the dive reflex, which slows the heart. "
       "Fill a bowl or run the tap cold, then give it half a minute.",
       {s000, s002},
       {timed(30, "Get cold water or something cold ready"), timed(30, "Cold water on your face or wrists"),
        timed(30, "Dry off and breathe slowly; notice your heart settle")},
       Repeat::times(1)});
  add({std::string(exercise_ids::tipp_intense_exercise),
       "Burst of exercise",
       ExerciseKind::movement,
       Suits::acute,
       "Spend the surge of energy: jumping jacks, running on the spot or up the stairs, hard "
       "enough to get out of breath, then recover.",
       {s002},
       {timed(45, "Move hard: jumping jacks, running on the spot"), timed(15, "Recover and breathe")},
       Repeat::times(3)});

  // --- movement --------------------------------------------------------------
  add({std::string(exercise_ids::movement_short_walk),
       "Ten-minute walk",
       ExerciseKind::movement,
       Suits::both,
       "Step outside or around the building for ten minutes. Moving breaks the loop of "
       "rumination and gives stress hormones somewhere to go.",
       {s000, s001, s002},
       {timed(600, "Walk; let your eyes rest on what you pass")},
       Repeat::times(1)});
  add({std::string(exercise_ids::movement_gentle_stretch),
       "Gentle yoga and stretching",
       ExerciseKind::movement,
       Suits::daily,
       "Somewhere quiet, on a mat or a towel, move slowly through a few easy stretches (or follow "
       "a guided yoga session instead). Keep attention on the breath and on how each part of the "
       "body feels as it moves; nothing should hurt.",
       {s001, s002, s000},
       {timed(30, "Lay out a mat or towel, stand or sit tall, let the breath slow"),
        timed(45, "Tip the head slowly toward one shoulder, then the other; breathe into the stretch"),
        timed(45, "Roll the shoulders back and down a few times, arms heavy"),
        timed(45, "Reach both arms up on an in-breath, fold forward softly on the out-breath, knees bent"),
        timed(45, "On hands and knees, round the back, then let it dip, in time with the breath"),
        timed(60, "Rest curled up or lying flat; notice where the body feels looser")},
       Repeat::times(1)});

  // --- cognitive -------------------------------------------------------------
  add({std::string(exercise_ids::cognitive_three_alternatives),
       "Three other explanations",
       ExerciseKind::cognitive,
       Suits::both,
       "Write down the anxious reading of what happened, then three other explanations that are "
       "just as plausible. Not forced cheerfulness: real possibilities.",
       {s000},
       {prompt("What is the anxious thought?", 1),
        prompt("Write three other explanations that could just as well be true", 3)},
       Repeat::times(1)});
  add({std::string(exercise_ids::cognitive_reality_test),
       "Check the fear against the facts",
       ExerciseKind::cognitive,
       Suits::both,
       "Treat the thought as a guess rather than a fact and weigh it: what supports it, what "
       "does not, and what is most likely going on. Simply admitting that you feel anxious and "
       "do not know everything yet can take some of the urgency out of the worst case.",
       {s002, s004},
       {prompt("What are you afraid is happening?", 1), prompt("What actually supports that?", 1),
        prompt("What speaks against it?", 1), prompt("What is the most likely explanation?", 1),
        prompt("Apart from the worst case, what else could be going on?", 1),
        prompt("When have you come through something like this before?", 1),
        prompt("What would you need to find out to feel more settled about this?", 1)},
       Repeat::times(1)});
  add({std::string(exercise_ids::cognitive_future_self),
       "Six months from now",
       ExerciseKind::cognitive,
       Suits::both,
       "Look at this moment from half a year ahead. What feels urgent now usually shrinks "
       "when seen from there.",
       {s000},
       {prompt("What is worrying you right now?", 1),
        prompt("Six months from now, what will you think about this moment?", 1)},
       Repeat::times(1)});
  add({std::string(exercise_ids::cognitive_past_or_present),
       "Then or now?",
       ExerciseKind::cognitive,
       Suits::both,
       "Sort what belongs to today from what an old hurt is adding. You are an adult with "
       "choices a child did not have.",
       {s002},
       {prompt("Is there real evidence that something is wrong right now?", 1),
        prompt("Am I reacting to today, or to something that happened long ago?", 1),
        prompt("What would I say to a friend caught in exactly this situation?", 1),
        prompt("If I were not anxious, how would I read this?", 1)},
       Repeat::times(1)});
  add({std::string(exercise_ids::cognitive_self_compassion),
       "Speak to yourself as to a friend",
       ExerciseKind::cognitive,
       Suits::both,
       "Catch the harsh inner voice and answer it the way you would answer a dear friend who "
       "felt this way.",
       {s001, s002},
       {prompt("What harsh thing are you saying to yourself?", 1),
        prompt("What would you say to a friend who felt this?", 1),
        prompt("Say it to yourself now, in kind words", 1)},
       Repeat::times(1)});

  // --- mindfulness -----------------------------------------------------------
  add({std::string(exercise_ids::mindfulness_breath),
       "Resting on the breath",
       ExerciseKind::mindfulness,
       Suits::daily,
       "Sit somewhere quiet, close your eyes and follow the air coming in and going out. Each "
       "time the mind drifts, notice where it went and come back, without judging.",
       {s001},
       {timed(60, "Follow the breath; when you drift, come back")},
       Repeat::times(5)});
  {
    Exercise scan{std::string(exercise_ids::mindfulness_body_scan),
                  "Body scan",
                  ExerciseKind::mindfulness,
                  Suits::both,
                  "Move attention slowly through the body and notice what is there (tightness, "
                  "warmth, nothing at all) without trying to change it.",
                  {s002},
                  {},
                  Repeat::times(1)};
    for (const char* part : {"feet", "legs", "hips", "belly", "chest", "hands and arms", "shoulders and neck",
                             "face and head"}) {
      scan.steps.emplace_back(timed(30, std::string("Notice your ") + part));
    }
    add(std::move(scan));
  }
  add({std::string(exercise_ids::mindfulness_three_breaths),
       "Three aware breaths",
       ExerciseKind::mindfulness,
       Suits::acute,
       "The smallest practice there is: three slow breaths, fully noticed, before you do "
       "anything else.",
       {s002},
       {breath(BP::inhale, 4, "Notice the breath coming in"), breath(BP::exhale, 6, "Notice it leaving")},
       Repeat::times(3)});
  add({std::string(exercise_ids::mindfulness_name_it),
       "Name what is here",
       ExerciseKind::mindfulness,
       Suits::acute,
       "Put words to the experience, starting with \"I'm noticing...\". Naming a feeling gives "
       "a little distance from it.",
       {s002},
       {prompt("Name the feeling: \"I'm noticing ...\"", 1),
        prompt("Name the urge: \"I feel pulled to ...\"", 1),
        prompt("Name what the body is doing: \"My chest ...\"", 1)},
       Repeat::times(1)});
  add({std::string(exercise_ids::mindfulness_self_check),
       "Gentle self-check",
       ExerciseKind::mindfulness,
       Suits::both,
       "Stop for a moment and look at what is going on with curiosity, not judgement. Three "
       "short questions; the point is to see the pattern clearly, not to pick it apart.",
       {s004},
       {prompt("What, exactly, was the trigger just now?", 1), prompt("What am I afraid comes next?", 1),
        prompt("Does this feeling remind me of something from my past?", 1)},
       Repeat::times(1)});

  // --- pauses ----------------------------------------------------------------
  add({std::string(exercise_ids::pause_before_reacting),
       "Wait before sending",
       ExerciseKind::pause,
       Suits::acute,
       "Put space between the urge and the action: phone down, a few minutes of breathing, "
       "then decide with a clearer head whether and what to send.",
       {s004, s003},
       {prompt("What do you feel pulled to send or do?", 1),
        timed(300, "Phone face down. Breathe and let the urge rise and fall"),
        prompt("Now: do you still want to, and what would you say calmly?", 1)},
       Repeat::times(1)});
  add({std::string(exercise_ids::pause_conflict_break),
       "Ten-minute time-out",
       ExerciseKind::pause,
       Suits::acute,
       "When an argument floods you, say that you need ten minutes and that you will come "
       "back, then spend them calming down rather than rehearsing the fight.",
       {s002, s000},
       {timed(20, "Say: \"I need ten minutes to calm down. I'll come back.\""),
        timed(600, "Breathe, ground yourself; leave the argument alone"),
        timed(30, "Go back and pick the conversation up, slowly")},
       Repeat::times(1)});

  // --- acceptance, soothing, distraction ---------------------------------------
  add({std::string(exercise_ids::acceptance_radical),
       "Accepting what is",
       ExerciseKind::acceptance,
       Suits::both,
       "Acknowledge the situation exactly as it is, without fighting it. Accepting a fact is "
       "not approving of it; it only stops the struggle with reality.",
       {s001, s002},
       {prompt("What is the situation that hurts?", 1), prompt("Say plainly what is true about it", 1),
        timed(60, "Breathe with it: accepting is not agreeing")},
       Repeat::times(1)});
  add({std::string(exercise_ids::soothing_senses),
       "Comfort for the senses",
       ExerciseKind::sensory_soothing,
       Suits::both,
       "Give the body something kind: a warm bath or shower, calm music, a gentle scent such "
       "as lavender, a soft blanket. Then give it your full attention.",
       {s001, s002},
       {prompt("Which comfort will you give yourself now?", 1), timed(600, "Take it in with every sense")},
       Repeat::times(1)});
  add({std::string(exercise_ids::distraction_activity),
       "Absorbing activity",
       ExerciseKind::distraction,
       Suits::acute,
       "Give the mind something else to hold for a while: a hobby, something creative, a film "
       "or book, time with a friend. Come back to the worry later, calmer.",
       {s001, s002},
       {prompt("What will you do for the next quarter of an hour?", 1), timed(900, "Do it wholeheartedly")},
       Repeat::times(1)});
  add({std::string(exercise_ids::improving_the_moment),
       "Making this moment more bearable",
       ExerciseKind::improving_the_moment,
       Suits::acute,
       "Improving the moment: when the situation cannot be changed yet, change how it is to live "
       "through it. Picture a calm place, find what the moment is for, recall coming through worse, "
       "give yourself one encouraging sentence, then give one simple task all your attention.",
       {s001, s002},
       {timed(60, "Imagine a place where you feel safe; fill in its light, sounds and warmth"),
        prompt("What matters to you in this, or what could this hard moment be for?", 1),
        prompt("Recall a time you got through something hard. What helped you then?", 1),
        prompt("Write one encouraging sentence to yourself", 1),
        timed(60, "Do one small thing and only that, with all your attention")},
       Repeat::times(1)});
  return c;
}

}  // namespace
}  // namespace detail

int Exercise::cycles() const {
  if (!repeat.total_seconds) return repeat.count;
  const double cycle = cycle_seconds();
  if (!(cycle > 0) || !std::isfinite(*repeat.total_seconds)) return 1;
  const double ratio = *repeat.total_seconds / cycle;
  const double nearest = std::round(ratio);
  // A ratio within rounding noise of a whole number is that number.
  const double n = std::abs(ratio - nearest) < 1e-9 ? nearest : std::ceil(ratio);
  if (n < 1) return 1;
  if (n > detail::max_cycles) return detail::max_cycles + 1;  // validate() rejects this
  return static_cast<int>(n);
}

void validate(const Exercise& e) {
  using detail::bad;
  if (e.id.empty()) detail::throw_invalid("exercise: field 'id': must not be empty");
  for (const char ch : e.id) {
    if (static_cast<unsigned char>(ch) <= ' ') bad(e, "id", "must not contain spaces or control characters");
  }
  if (e.name.empty()) bad(e, "name", "must not be empty");
  if (static_cast<std::size_t>(e.kind) >= exercise_kind_table.size()) bad(e, "kind", "unknown kind");
  if (static_cast<std::size_t>(e.suits) >= suits_table.size()) bad(e, "suits", "unknown value");
  for (std::size_t i = 0; i < e.sources.size(); ++i) {
    if (e.sources[i].empty()) bad(e, "sources[" + std::to_string(i) + "]", "must not be empty");
  }
  if (e.steps.empty()) bad(e, "steps", "an exercise needs at least one step");
  for (std::size_t i = 0; i < e.steps.size(); ++i) {
    const std::string at = "steps[" + std::to_string(i) + "]";
    if (const auto* t = std::get_if<TimedStep>(&e.steps[i])) {
      if (!std::isfinite(t->seconds) || t->seconds <= 0) {
        bad(e, at + ".seconds",
            "must be a finite number of seconds > 0, got " + detail::fmt_number(t->seconds));
      }
      if (static_cast<std::size_t>(t->phase) >= breath_phase_table.size())
        bad(e, at + ".phase", "unknown phase");
    } else {
      const auto& p = std::get<PromptStep>(e.steps[i]);
      if (p.text.empty()) bad(e, at + ".text", "a prompt needs a question or instruction");
      if (!detail::answers_ok(p.answers)) {
        bad(e, at + ".answers", std::string(detail::answers_rule) + ", got " + std::to_string(p.answers));
      }
    }
  }
  if (e.repeat.total_seconds) {
    const double total = *e.repeat.total_seconds;
    if (!std::isfinite(total) || total <= 0) {
      bad(e, "total_seconds", "must be a finite number of seconds > 0, got " + detail::fmt_number(total));
    }
    if (e.has_prompts()) {
      bad(e, "total_seconds",
          "a total duration needs a cycle of timed steps only (prompts have no length); use repeats");
    }
  } else if (!detail::repeats_ok(e.repeat.count)) {
    bad(e, "repeats", std::string(detail::repeats_rule) + ", got " + std::to_string(e.repeat.count));
  }
  if (e.cycles() > detail::max_cycles) {
    bad(e, e.repeat.total_seconds ? "total_seconds" : "repeats",
        "would run more than " + std::to_string(detail::max_cycles) + " cycles");
  }
}

Exercise breathing_pattern(std::string id, std::string name, double inhale, double hold_in, double exhale,
                           double hold_out, Repeat repeat) {
  Exercise e;
  e.id = std::move(id);
  e.name = std::move(name);
  e.kind = ExerciseKind::breathing;
  e.suits = Suits::both;
  e.repeat = repeat;
  const std::pair<const char*, double> counts[] = {
      {"inhale", inhale}, {"hold_in", hold_in}, {"exhale", exhale}, {"hold_out", hold_out}};
  const BreathPhase phases[] = {BreathPhase::inhale, BreathPhase::hold_in, BreathPhase::exhale,
                                BreathPhase::hold_out};
  if (e.id.empty()) detail::throw_invalid("breathing pattern: field 'id': must not be empty");
  for (std::size_t i = 0; i < 4; ++i) {
    const double s = counts[i].second;
    if (!std::isfinite(s) || s < 0) {
      detail::throw_invalid("breathing pattern '" + e.id + "': field '" + counts[i].first +
                            "': must be a finite number of seconds >= 0, got " + detail::fmt_number(s));
    }
    if (s > 0) e.steps.emplace_back(TimedStep{s, phases[i], std::string(label(phases[i]))});
  }
  if (e.steps.empty()) {
    detail::throw_invalid("breathing pattern '" + e.id +
                          "': zero-length cycle: inhale, hold_in, exhale and hold_out are all 0");
  }
  std::string desc = "Breathe in for " + detail::fmt_number(inhale);
  if (hold_in > 0) desc += ", hold for " + detail::fmt_number(hold_in);
  desc += ", breathe out for " + detail::fmt_number(exhale);
  if (hold_out > 0) desc += ", hold for " + detail::fmt_number(hold_out);
  e.instructions = desc + " seconds.";
  validate(e);
  return e;
}

std::span<const Exercise> catalog() {
  static const std::vector<Exercise> c = [] {
    auto v = detail::build_catalog();
    for (const auto& e : v) validate(e);
    return v;
  }();
  return c;
}

const Exercise* find_exercise(std::string_view id) noexcept {
  for (const auto& e : catalog()) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

namespace {

/// The Levenshtein distance of `a` and `b` (insertions, deletions and
/// substitutions of one byte each).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

/// "no exercise 'ID' in the WHERE" and, when some of `exercises`' ids are
/// close to it (at most a fifth of its length apart, at least 2 edits; the
/// nearest three, nearest first, ties in list order), "; did you mean ...?".
[[noreturn]] void throw_unknown_exercise(std::string_view id, std::string_view where,
                                         std::span<const Exercise> exercises) {
  const std::size_t most = std::max<std::size_t>(2, id.size() / 5);
  std::vector<std::pair<std::size_t, std::size_t>> close;  // (distance, index)
  for (std::size_t i = 0; i < exercises.size(); ++i) {
    const std::size_t d = edit_distance(id, exercises[i].id);
    if (d <= most) close.emplace_back(d, i);
  }
  std::stable_sort(close.begin(), close.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string message = "no exercise '" + std::string(id) + "' in the " + std::string(where);
  for (std::size_t k = 0; k < close.size() && k < 3; ++k)
    message += (k == 0 ? "; did you mean '" : ", '") + exercises[close[k].second].id + "'";
  if (!close.empty()) message += "?";
  detail::throw_out_of_range(message);
}

}  // namespace

const Exercise& catalog_exercise(std::string_view id) {
  if (const auto* e = find_exercise(id)) return *e;
  throw_unknown_exercise(id, "catalog", catalog());
}

ExerciseRegistry ExerciseRegistry::with_catalog() {
  ExerciseRegistry r;
  for (const auto& e : catalog()) r.add(e);
  return r;
}

void ExerciseRegistry::add(Exercise exercise) {
  validate(exercise);
  if (index_.contains(exercise.id)) {
    detail::throw_invalid("exercise registry: field 'id': duplicate exercise id '" + exercise.id + "'");
  }
  index_.emplace(exercise.id, items_.size());
  items_.push_back(std::move(exercise));
}

const Exercise* ExerciseRegistry::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &items_[it->second];
}

const Exercise& ExerciseRegistry::get(std::string_view id) const {
  if (const auto* e = find(id)) return *e;
  throw_unknown_exercise(id, "registry", all());
}

}  // namespace calmkit
