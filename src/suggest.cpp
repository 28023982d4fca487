// "What could help now": the ranking rule documented in suggest.hpp.
#include <calmkit/hash.hpp>
#include <calmkit/suggest.hpp>

#include <range/v3/algorithm/stable_sort.hpp>
#include <range/v3/view/filter.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <unordered_map>

namespace calmkit {

namespace detail {
namespace {

// Rows in ExerciseKind order; columns low, middle, high.
constexpr std::array<std::array<double, 3>, 12> kind_weights{{
    {1, 2, 3},  // breathing
    {1, 3, 2},  // grounding
    {1, 2, 2},  // muscle_relaxation
    {0, 1, 3},  // temperature
    {1, 2, 3},  // movement
    {3, 1, 0},  // cognitive
    {2, 2, 1},  // mindfulness
    {1, 2, 1},  // sensory_soothing
    {0, 2, 2},  // pause
    {2, 1, 0},  // acceptance
    {1, 2, 1},  // distraction
    {1, 2, 1},  // improving_the_moment
}};
static_assert(kind_weights.size() == exercise_kind_table.size());

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string band_phrase(Intensity now, IntensityBand band) {
  std::string n = "distress " + std::to_string(now.value()) + "/10";  // not const: returned by move
  switch (band) {
    case IntensityBand::high: return n + " is high: calm the body first";
    case IntensityBand::middle: return n + " is in the middle: body and mind both work";
    case IntensityBand::low: return n + " is low enough for thinking work";
  }
  return n;
}

std::string kind_phrase(ExerciseKind k, IntensityBand band) {
  const double w = kind_weights[static_cast<std::size_t>(k)][static_cast<std::size_t>(band)];
  const std::string kind(label(k));
  if (w >= 3) return kind + " fits best now";
  if (w >= 2) return kind + " fits well now";
  if (w >= 1) return kind + " can help now";
  return kind + " is better saved for when distress is lower";
}

}  // namespace
}  // namespace detail

double kind_weight(ExerciseKind kind, IntensityBand band) noexcept {
  return detail::kind_weights[static_cast<std::size_t>(kind)][static_cast<std::size_t>(band)];
}

std::vector<Suggestion> suggest(Intensity now, const Journal& journal, std::string_view participant,
                                std::span<const Exercise> exercises, const SuggestOptions& options) {
  if (options.min_sessions < 1) {
    detail::throw_invalid("suggest: field 'min_sessions': must be >= 1, got " +
                          std::to_string(options.min_sessions));
  }
  if (!(options.history_weight >= 0) || !std::isfinite(options.history_weight)) {
    detail::throw_invalid("suggest: field 'history_weight': must be a finite number >= 0");
  }
  const IntensityBand band = intensity_band(now);

  struct Tally {
    int n = 0;
    double drop_sum = 0;
  };
  std::unordered_map<std::string, Tally, detail::KeyedHash> history;
  auto rated = [](const ExerciseSession& s) { return s.intensity_before && s.intensity_after; };
  const auto sessions = journal.exercises_of(participant);
  for (const auto& s : sessions | ranges::views::filter(rated)) {
    auto& t = history[s.exercise];
    ++t.n;
    t.drop_sum += s.intensity_before->value() - s.intensity_after->value();
  }

  std::vector<Suggestion> out;
  out.reserve(exercises.size());
  for (const auto& e : exercises) {
    Suggestion s;
    s.exercise = e.id;
    s.name = e.name;
    s.kind = e.kind;
    s.base = kind_weight(e.kind, band);
    if (band == IntensityBand::high) {
      s.suits_bonus = e.suits == Suits::acute ? 0.5 : e.suits == Suits::daily ? -0.5 : 0.0;
    } else if (band == IntensityBand::low) {
      s.suits_bonus = e.suits == Suits::daily ? 0.5 : 0.0;
    }
    s.score = s.base + s.suits_bonus;
    s.reason = detail::band_phrase(now, band) + "; " + detail::kind_phrase(e.kind, band);
    if (s.suits_bonus > 0) {
      s.reason += band == IntensityBand::high ? "; made for the moment" : "; good as daily practice";
    } else if (s.suits_bonus < 0) {
      s.reason += "; meant more for practice when calm";
    }
    if (auto it = history.find(e.id); it != history.end()) {
      s.rated_sessions = it->second.n;
      if (it->second.n >= options.min_sessions) {
        s.mean_drop = it->second.drop_sum / it->second.n;
        s.score += options.history_weight * *s.mean_drop;
        const double change = *s.mean_drop == 0 ? 0.0 : -*s.mean_drop;  // no "-0.0"
        s.reason += "; for you it changed distress by " + detail::one_decimal(change) +
                    " points on average over " + std::to_string(it->second.n) + " rated sessions";
      } else {
        s.reason += "; " + std::to_string(it->second.n) + " rated session(s) so far, " +
                    std::to_string(options.min_sessions) + " needed before your history counts";
      }
    }
    out.push_back(std::move(s));
  }
  // Best first; equal scores keep the catalog order.
  ranges::stable_sort(out, std::greater<>{}, &Suggestion::score);
  if (options.limit > 0 && out.size() > options.limit) out.resize(options.limit);
  return out;
}

}  // namespace calmkit
