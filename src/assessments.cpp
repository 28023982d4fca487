// Instruments as data: validation, the registry (built-ins and custom ones), scoring.
#include <calmkit/assessments.hpp>
#include <calmkit/errors.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace calmkit {
namespace detail {
namespace {

std::string where(const Instrument& in) {
  return "instrument '" + in.id + "': ";
}

/// The lowest and highest score a group of `n` items can reach under `rule`.
std::pair<double, double> score_range(const Instrument& in, std::size_t n, ScoringRule rule) {
  if (rule == ScoringRule::mean) return {in.scale_min, in.scale_max};
  const auto count = static_cast<double>(n);
  return {count * in.scale_min, count * in.scale_max};
}

void check_indices(const Instrument& in, const std::vector<std::size_t>& idx, const std::string& what) {
  std::vector<bool> seen(in.items.size(), false);
  for (std::size_t i : idx) {
    if (i >= in.items.size()) {
      throw_invalid(where(in) + what + " names item " + std::to_string(i) + ", but there are only " +
                    std::to_string(in.items.size()) + " items (0-based)");
    }
    if (seen[i]) throw_invalid(where(in) + what + " names item " + std::to_string(i) + " twice");
    seen[i] = true;
  }
}

/// The first total the instrument can give that no band covers, if any.
/// Totals are S / d for every whole S from n * scale_min to n * scale_max
/// (d = 1 for a sum, n for a mean of n items: steps of 1/n), computed as
/// `combine` computes them, so the check and the scoring agree to the bit.
std::optional<double> uncovered_total(const Instrument& in) {
  if (in.bands.empty()) return std::nullopt;
  const auto n = static_cast<long long>(in.items.size());
  const long long s_lo = n * in.scale_min, s_hi = n * in.scale_max;
  const double d = in.total_rule == ScoringRule::mean ? static_cast<double>(n) : 1.0;
  auto total = [d](long long s) { return static_cast<double>(s) / d; };
  auto first_above = [&](double x) {  // the smallest S with S / d > x (may pass s_hi)
    auto s = std::max(s_lo, static_cast<long long>(std::floor(x * d)) - 1);
    while (s <= s_hi && total(s) <= x) ++s;
    return s;
  };
  if (total(s_lo) < in.bands.front().min) return total(s_lo);
  for (std::size_t b = 0; b < in.bands.size(); ++b) {
    const auto s = first_above(in.bands[b].max);
    if (s > s_hi) return std::nullopt;
    if (b + 1 == in.bands.size() || total(s) < in.bands[b + 1].min) return total(s);
  }
  return std::nullopt;
}

std::string shown_total(double t) {
  std::string out = std::to_string(t);  // 6 decimals, trailing zeros dropped
  out.erase(out.find_last_not_of('0') + 1);
  if (out.back() == '.') out.pop_back();
  return out;
}

double combine(const std::vector<double>& values, ScoringRule rule) {
  double sum = 0;
  for (double v : values) sum += v;
  if (rule == ScoringRule::sum || values.empty()) return sum;
  return sum / static_cast<double>(values.size());
}

Instrument attachment_checkin() {
  Instrument in;
  in.id = "attachment-checkin";
  in.name = "Attachment check-in";
  in.description =
      "A reflection aid on anxious-attachment patterns, not a diagnosis. Rate how often each "
      "statement fits you lately. Positively worded items are reverse-keyed, so in every area a "
      "higher score means more anxious patterns; an area averaging 3 or more points to anxious "
      "tendencies there, worth gentle attention.";
  in.prompt = "Lately, how often does this fit you?";
  in.items = {
      // emotional responses (0-3)
      "I wonder whether the people close to me still care about me.",
      "When someone close seems distant or busy, I take it as a sign about me or us.",
      "I need to hear again and again that my relationships are safe.",
      "My mood for the day depends on how others treat me.",
      // communication and conflict (4-7)
      "I hint at what I need instead of saying it, hoping the other person will guess.",
      "In a disagreement my feelings swamp me and I cannot think straight.",
      "I explain too much, say sorry too often, or take the blame for what I do not control.",
      "After a conflict I feel I must repair it at once, even before it is really settled.",
      // behaviour in relationships (8-11)
      "I keep checking my phone for replies from people who matter to me.",
      "When a reply is slower than I expected, I send another message or call.",
      "My choices follow mostly what other people want or need.",
      "Looking after others feels easier than letting them look after me.",
      // security and trust (12-15), reverse-keyed
      "I feel steady and confident in my important relationships.",
      "I trust that people care about me even when they are not showing it.",
      "I can enjoy time on my own without worrying about my relationships.",
      "I feel worth loving just as I am.",
      // regulation and coping (16-19), reverse-keyed
      "When a relationship gets stressful I can calm myself and keep perspective.",
      "I have good ways to handle fear and worry about my relationships.",
      "I can live with not knowing and with things being imperfect between us.",
      "I stay myself when things shift in a relationship.",
      // support and independence (20-23), 21-23 reverse-keyed
      "I lean on a single person for almost all of my emotional support.",
      "I enjoy activities, interests and friends of my own, apart from my partner.",
      "Some friends or family know the real me and I trust them.",
      "I ask for help when I need it, and I also manage well on my own.",
      // self-compassion and self-worth (24-27), reverse-keyed
      "I talk to myself kindly, above all when things are hard.",
      "I treat my own needs as real and important.",
      "I believe I deserve love and happiness.",
      "I can enjoy my strengths and accept my flaws.",
  };
  in.scale_min = 1;
  in.scale_max = 5;
  in.scale_labels = {"never", "rarely", "sometimes", "often", "always"};
  in.areas = {
      {"emotional_responses", "Emotional responses", {0, 1, 2, 3}},
      {"communication_conflict", "Communication and conflict", {4, 5, 6, 7}},
      {"relationship_behaviour", "Behaviour in relationships", {8, 9, 10, 11}},
      {"security_trust", "Security and trust", {12, 13, 14, 15}},
      {"regulation_coping", "Regulation and coping", {16, 17, 18, 19}},
      {"support_independence", "Support and independence", {20, 21, 22, 23}},
      {"self_worth", "Self-compassion and self-worth", {24, 25, 26, 27}},
  };
  in.reverse_keyed = {12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27};
  in.total_rule = ScoringRule::mean;
  in.area_rule = ScoringRule::mean;
  in.area_flag_at = 3.0;
  in.area_flag_label = "anxious tendencies in this area";
  in.source =
      "calmkit's rewording of the self-assessment guide in the project's source texts on anxious "
      "attachment (1 = never ... 5 = always, an area scoring 3 or more suggests anxious tendencies).";
  in.licence = "Written for calmkit; same licence as calmkit.";
  in.reflection_only = true;
  return in;
}

Instrument gad7() {
  Instrument in;
  in.id = "gad-7";
  in.name = "GAD-7 (Generalized Anxiety Disorder 7-item scale)";
  in.description =
      "A brief screener for generalized anxiety over the last two weeks. Total 0-21: 0-4 minimal, "
      "5-9 mild, 10-14 moderate, 15-21 severe anxiety. A score of 10 or more merits a conversation "
      "with a clinician; the scale screens, it does not diagnose.";
  in.prompt = "Over the last 2 weeks, how often have you been bothered by the following problems?";
  in.items = {
      "Feeling nervous, anxious, or on edge",
      "Not being able to stop or control worrying",
      "Worrying too much about different things",
      "Trouble relaxing",
      "Being so restless that it is hard to sit still",
      "Becoming easily annoyed or irritable",
      "Feeling afraid, as if something awful might happen",
  };
  in.scale_min = 0;
  in.scale_max = 3;
  in.scale_labels = {"not at all", "several days", "more than half the days", "nearly every day"};
  in.total_rule = ScoringRule::sum;
  in.area_rule = ScoringRule::sum;
  // Cut points 5, 10 and 15 and the cut point of 10 for further evaluation:
  // Spitzer et al. 2006 and the PHQ screeners' instructions for the GAD-7.
  in.bands = {
      {"minimal", 0, 4,
       "Few or no anxiety symptoms over the last two weeks. The score itself suggests no follow-up."},
      {"mild", 5, 9,
       "Mild anxiety symptoms, below the cut point of 10 that the authors recommend for further "
       "evaluation. Worth keeping an eye on: answer it again in a couple of weeks."},
      {"moderate", 10, 14,
       "Moderate anxiety symptoms. A score of 10 or more is the point at which the authors recommend "
       "further evaluation: consider talking it over with a doctor or a mental-health professional."},
      {"severe", 15, 21,
       "Severe anxiety symptoms, which often get in the way of daily life. An evaluation by a doctor "
       "or a mental-health professional is recommended."},
  };
  in.source =
      "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized "
      "anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097. Band guidance after "
      "the PHQ screeners' instructions for the GAD-7 (cut points 5, 10, 15; 10 or more: evaluate further).";
  in.licence =
      "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with "
      "an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
      "display or distribute.";
  in.reflection_only = false;
  return in;
}

struct Registry {
  std::mutex mutex;
  std::deque<Instrument> instruments;  // a deque keeps addresses stable as it grows
  std::size_t builtins = 0;            // the first `builtins` entries are built in

  Registry() {
    instruments.push_back(attachment_checkin());
    instruments.push_back(gad7());
    for (const auto& in : instruments) validate(in);
    builtins = instruments.size();
  }
  const Instrument* find(std::string_view id) {
    for (const auto& in : instruments) {
      if (in.id == id) return &in;
    }
    return nullptr;
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace
}  // namespace detail

void validate(const Instrument& in) {
  using detail::throw_invalid;
  using detail::where;
  if (in.id.empty()) throw_invalid("instrument: id is empty");
  for (char c : in.id) {
    if (c <= ' ' || c == '\x7f') throw_invalid(where(in) + "id holds a space or control character");
  }
  if (in.name.empty()) throw_invalid(where(in) + "name is empty");
  if (in.items.empty()) throw_invalid(where(in) + "has no items");
  for (std::size_t i = 0; i < in.items.size(); ++i) {
    if (in.items[i].empty()) throw_invalid(where(in) + "item " + std::to_string(i) + " has no text");
  }
  if (in.scale_min > in.scale_max) {
    throw_invalid(where(in) + "scale_min " + std::to_string(in.scale_min) + " is above scale_max " +
                  std::to_string(in.scale_max));
  }
  const auto points = static_cast<std::size_t>(static_cast<long long>(in.scale_max) - in.scale_min + 1);
  if (!in.scale_labels.empty() && in.scale_labels.size() != points) {
    throw_invalid(where(in) + "has " + std::to_string(in.scale_labels.size()) +
                  " scale labels for a scale of " + std::to_string(points) + " points");
  }
  std::vector<std::string> area_ids;
  for (const auto& a : in.areas) {
    if (a.id.empty()) throw_invalid(where(in) + "an area has an empty id");
    if (std::find(area_ids.begin(), area_ids.end(), a.id) != area_ids.end()) {
      throw_invalid(where(in) + "area id '" + a.id + "' appears twice");
    }
    area_ids.push_back(a.id);
    if (a.items.empty()) throw_invalid(where(in) + "area '" + a.id + "' has no items");
    detail::check_indices(in, a.items, "area '" + a.id + "'");
  }
  detail::check_indices(in, in.reverse_keyed, "reverse_keyed");
  const auto [tlo, thi] = detail::score_range(in, in.items.size(), in.total_rule);
  for (std::size_t b = 0; b < in.bands.size(); ++b) {
    const auto& band = in.bands[b];
    if (band.label.empty()) throw_invalid(where(in) + "band " + std::to_string(b) + " has no label");
    if (!(band.min <= band.max)) throw_invalid(where(in) + "band '" + band.label + "' has min above max");
    if (band.min < tlo || band.max > thi) {
      throw_invalid(where(in) + "band '" + band.label + "' reaches outside the possible total " +
                    std::to_string(tlo) + ".." + std::to_string(thi));
    }
    if (b > 0 && !(in.bands[b - 1].max < band.min)) {
      throw_invalid(where(in) + "band '" + band.label + "' overlaps or precedes band '" +
                    in.bands[b - 1].label + "' (bands go in ascending, non-overlapping order)");
    }
  }
  if (const auto gap = detail::uncovered_total(in)) {
    const bool mean = in.total_rule == ScoringRule::mean;
    throw_invalid(where(in) + "no band covers a total of " + detail::shown_total(*gap) +
                  (mean ? " (a mean of " + std::to_string(in.items.size()) + " items moves in steps of 1/" +
                              std::to_string(in.items.size()) + ")"
                        : "") +
                  ": the bands must cover every total the instrument can give, so that every score gets a "
                  "band and its guidance; widen the band below or above it");
  }
  if (in.area_flag_at) {
    if (in.areas.empty()) throw_invalid(where(in) + "area_flag_at is set but there are no areas");
    if (!std::isfinite(*in.area_flag_at)) throw_invalid(where(in) + "area_flag_at is not finite");
    if (in.area_flag_label.empty()) throw_invalid(where(in) + "area_flag_at is set without area_flag_label");
  }
}

std::optional<RuleViolation> validate_answers(const Instrument& in, std::span<const int> answers) {
  if (answers.size() != in.items.size()) {
    return RuleViolation{"answers", "instrument '" + in.id + "' has " + std::to_string(in.items.size()) +
                                        " items, got " + std::to_string(answers.size()) + " answers"};
  }
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (answers[i] < in.scale_min || answers[i] > in.scale_max) {
      return RuleViolation{"answers[" + std::to_string(i) + "]",
                           "instrument '" + in.id + "', item " + std::to_string(i) + " (\"" + in.items[i] +
                               "\"): answer " + std::to_string(answers[i]) + " is outside the scale " +
                               std::to_string(in.scale_min) + ".." + std::to_string(in.scale_max)};
    }
  }
  return std::nullopt;
}

std::optional<RuleViolation> validate_answers(const Assessment& a) {
  const Instrument* in = find_instrument(a.instrument);
  if (in == nullptr) return RuleViolation{"instrument", unknown_instrument(a.instrument)};
  return validate_answers(*in, a.answers);
}

void check_answers(const Instrument& in, std::span<const int> answers) {
  if (auto v = validate_answers(in, answers)) detail::throw_invalid(v->reason);
}

AssessmentScore score(const Instrument& in, std::span<const int> answers) {
  check_answers(in, answers);
  std::vector<double> keyed(answers.size());
  for (std::size_t i = 0; i < answers.size(); ++i) keyed[i] = answers[i];
  for (std::size_t i : in.reverse_keyed) keyed[i] = in.scale_min + in.scale_max - answers[i];

  AssessmentScore out;
  out.total = detail::combine(keyed, in.total_rule);
  for (const auto& a : in.areas) {
    std::vector<double> vals;
    vals.reserve(a.items.size());
    for (std::size_t i : a.items) vals.push_back(keyed[i]);
    AreaScore s{a.id, detail::combine(vals, in.area_rule), false};
    if (in.area_flag_at && s.score >= *in.area_flag_at) {
      s.flagged = true;
      out.flags.push_back(a.name + ": " + in.area_flag_label);
    }
    out.areas.push_back(std::move(s));
  }
  for (const auto& b : in.bands) {
    if (b.min <= out.total && out.total <= b.max) out.band = b.label;
  }
  return out;
}

const Instrument* find_instrument(std::string_view id) noexcept {
  auto& r = detail::registry();
  std::lock_guard lock(r.mutex);
  return r.find(id);
}

const Instrument& instrument(std::string_view id) {
  if (const Instrument* in = find_instrument(id)) return *in;
  detail::throw_invalid(unknown_instrument(id));  // after the lock is released: it lists the ids
}

std::string unknown_instrument(std::string_view id) {
  std::string known;
  for (const auto& k : instrument_ids()) known += (known.empty() ? "" : ", ") + k;
  return "unknown instrument " + detail::quote(id) + " (known: " + known +
         "; register custom instruments with register_instrument first)";
}

void register_instrument(Instrument in) {
  validate(in);
  auto& r = detail::registry();
  std::lock_guard lock(r.mutex);
  if (r.find(in.id)) detail::throw_invalid("instrument '" + in.id + "' is already registered");
  r.instruments.push_back(std::move(in));
}

std::vector<std::string> instrument_ids() {
  auto& r = detail::registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> out;
  out.reserve(r.instruments.size());
  for (const auto& in : r.instruments) out.push_back(in.id);
  return out;
}

std::vector<std::string> builtin_instrument_ids() {
  auto& r = detail::registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.builtins; ++i) out.push_back(r.instruments[i].id);
  return out;
}

}  // namespace calmkit
