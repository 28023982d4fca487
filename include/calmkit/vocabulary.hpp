/// @file vocabulary.hpp
/// @brief The closed vocabularies of the journal: trigger categories and their
/// groups, and cognitive distortions. One table per enum maps each value to its
/// stable string id (the journal format's) and a human label (calmkit's words).
#pragma once

#include <calmkit/errors.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace calmkit {

/// The three families the trigger categories fall into.
enum class TriggerGroup : std::uint8_t {
  relationship,  ///< something a partner or loved one did or did not do
  life,          ///< circumstances: health, money, decisions, social settings
  internal,      ///< from inside: body sensations, self-talk, comparison, perfectionism
};

/// What set the attachment alarm off. Ids are the journal format's, stable.
enum class TriggerCategory : std::uint8_t {
  delayed_reply,
  mixed_signals,
  partner_distance,
  routine_change,
  conflict,
  partner_stress,
  lack_of_clarity,
  plans_cancelled,
  being_alone,
  social_comparison,
  family_gathering,
  health_concern,
  financial_stress,
  major_decision,
  physical_sensation,
  negative_self_talk,
  perfectionism,
  other,
};

/// Thinking traps named in CBT thought records. Ids are the journal format's.
enum class Distortion : std::uint8_t {
  all_or_nothing,
  overgeneralization,
  mental_filter,
  discounting_positive,
  mind_reading,
  fortune_telling,
  catastrophizing,
  emotional_reasoning,
  should_statements,
  labeling,
  personalization,
  blaming,
};

/// One row of a vocabulary table.
template <class E>
struct VocabEntry {
  /// The enum value this row describes.
  E value;
  std::string_view id;     ///< stable id used in files
  std::string_view label;  ///< short human label
};

/// One row of the trigger table: also carries the group.
struct TriggerEntry {
  /// The category this row describes.
  TriggerCategory value;
  /// Stable id used in files.
  std::string_view id;
  /// Short human label.
  std::string_view label;
  /// The group the category belongs to.
  TriggerGroup group;
  std::string_view description;  ///< one line on what it covers
};

// The tables. Order matches the enum order (checked by static_asserts below).
/// The trigger groups, in enum order.
inline constexpr std::array<VocabEntry<TriggerGroup>, 3> trigger_group_table{{
    {TriggerGroup::relationship, "relationship", "Relationship"},
    {TriggerGroup::life, "life", "Life circumstances"},
    {TriggerGroup::internal, "internal", "Inner experience"},
}};

/// The trigger categories, in enum order.
inline constexpr std::array<TriggerEntry, 18> trigger_category_table{{
    {TriggerCategory::delayed_reply, "delayed_reply", "Slow or missing reply", TriggerGroup::relationship,
     "a message left unanswered longer than expected"},
    {TriggerCategory::mixed_signals, "mixed_signals", "Mixed signals", TriggerGroup::relationship,
     "warm one moment, cool the next; words and actions that disagree"},
    {TriggerCategory::partner_distance, "partner_distance", "Partner seems distant",
     TriggerGroup::relationship, "quieter, busier or less affectionate than usual"},
    {TriggerCategory::routine_change, "routine_change", "Change in the usual routine",
     TriggerGroup::relationship, "a skipped good-morning text, a new schedule, changed plans together"},
    {TriggerCategory::conflict, "conflict", "Disagreement or criticism", TriggerGroup::relationship,
     "an argument, a complaint or displeasure from someone close"},
    {TriggerCategory::partner_stress, "partner_stress", "Partner under outside pressure",
     TriggerGroup::relationship, "their work, family or health stress making them less available"},
    {TriggerCategory::lack_of_clarity, "lack_of_clarity", "Unclear where things stand",
     TriggerGroup::relationship, "no label, no plan, an ambiguous answer"},
    {TriggerCategory::plans_cancelled, "plans_cancelled", "Plans cancelled or moved",
     TriggerGroup::relationship, "a date called off or postponed"},
    {TriggerCategory::being_alone, "being_alone", "Time alone", TriggerGroup::life,
     "an empty evening or weekend apart"},
    {TriggerCategory::social_comparison, "social_comparison", "Comparing with others", TriggerGroup::internal,
     "other couples, social media, feeling not enough"},
    {TriggerCategory::family_gathering, "family_gathering", "Social or family gathering", TriggerGroup::life,
     "being among people who might judge or exclude"},
    {TriggerCategory::health_concern, "health_concern", "Health worry", TriggerGroup::life,
     "an illness, a test result, a medical appointment"},
    {TriggerCategory::financial_stress, "financial_stress", "Money or work stress", TriggerGroup::life,
     "bills, job insecurity, criticism at work"},
    {TriggerCategory::major_decision, "major_decision", "A big decision", TriggerGroup::life,
     "moving, changing jobs, other choices that touch the relationship"},
    {TriggerCategory::physical_sensation, "physical_sensation", "Body sensation", TriggerGroup::internal,
     "a racing heart, tight chest, hunger or tiredness read as danger"},
    {TriggerCategory::negative_self_talk, "negative_self_talk", "Harsh self-talk", TriggerGroup::internal,
     "\"I'm too much\", \"they'll leave\""},
    {TriggerCategory::perfectionism, "perfectionism", "Fear of getting it wrong", TriggerGroup::internal,
     "pressure to never make a mistake with the people you love"},
    {TriggerCategory::other, "other", "Other", TriggerGroup::life, "anything not listed above"},
}};

/// One row of the distortion table: also carries a plain-language description.
struct DistortionEntry {
  /// The distortion this row describes.
  Distortion value;
  std::string_view id;           ///< stable id used in files
  std::string_view label;        ///< short human label
  std::string_view description;  ///< one plain-language line on how the thought goes
};

/// The cognitive distortions, in enum order (the common CBT list, after Burns 1980 and Beck 1976).
inline constexpr std::array<DistortionEntry, 12> distortion_table{{
    {Distortion::all_or_nothing, "all_or_nothing", "All-or-nothing thinking",
     "seeing it in black and white: perfect or ruined, loved or abandoned, nothing in between"},
    {Distortion::overgeneralization, "overgeneralization", "Overgeneralizing",
     "one event taken as a rule: \"always\", \"never\", \"everyone\""},
    {Distortion::mental_filter, "mental_filter", "Mental filter",
     "dwelling on one negative detail until it colours everything else"},
    {Distortion::discounting_positive, "discounting_positive", "Discounting the positive",
     "the good things \"don't count\": they were luck, politeness or pity"},
    {Distortion::mind_reading, "mind_reading", "Mind reading",
     "being sure you know what someone thinks or feels without asking"},
    {Distortion::fortune_telling, "fortune_telling", "Fortune telling",
     "predicting that things will turn out badly, as if it were fact"},
    {Distortion::catastrophizing, "catastrophizing", "Catastrophizing",
     "jumping to the worst possible outcome, or feeling it would be unbearable"},
    {Distortion::emotional_reasoning, "emotional_reasoning", "Emotional reasoning",
     "\"I feel it, so it must be true\": taking a feeling as evidence"},
    {Distortion::should_statements, "should_statements", "\"Should\" statements",
     "rigid rules about how you or others must be, with guilt or anger when broken"},
    {Distortion::labeling, "labeling", "Labeling",
     "a global label instead of a description: \"I'm unlovable\" for \"I made a mistake\""},
    {Distortion::personalization, "personalization", "Personalizing",
     "taking the blame for what is not (only) yours: their mood must be about you"},
    {Distortion::blaming, "blaming", "Blaming",
     "putting all of the responsibility on someone else and overlooking your part"},
}};

namespace detail {
template <class Table>
constexpr bool in_enum_order(const Table& t) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (static_cast<std::size_t>(t[i].value) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(trigger_group_table));
static_assert(in_enum_order(trigger_category_table));
static_assert(in_enum_order(distortion_table));

template <class Table>
constexpr auto find_id(const Table& t, std::string_view id) noexcept -> std::optional<decltype(t[0].value)> {
  for (const auto& e : t) {
    if (e.id == id) return e.value;
  }
  return std::nullopt;
}

/// `what 'ID'; valid ids: a, b, ...`: the one text of "an id of this vocabulary".
template <class Table>
[[gnu::cold]] std::string unknown_id(std::string_view what, std::string_view id, const Table& t) {
  std::string out = "unknown " + std::string(what) + " " + quote(id) + "; valid ids: ";
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i > 0) out += ", ";
    out += t[i].id;
  }
  return out;
}
}  // namespace detail

/// Stable id of a trigger category, e.g. `"delayed_reply"`.
[[nodiscard]] constexpr std::string_view to_id(TriggerCategory c) noexcept {
  return trigger_category_table[static_cast<std::size_t>(c)].id;
}
/// Stable id of a trigger group, e.g. `"relationship"`.
[[nodiscard]] constexpr std::string_view to_id(TriggerGroup g) noexcept {
  return trigger_group_table[static_cast<std::size_t>(g)].id;
}
/// Stable id of a distortion, e.g. `"all_or_nothing"`.
[[nodiscard]] constexpr std::string_view to_id(Distortion d) noexcept {
  return distortion_table[static_cast<std::size_t>(d)].id;
}

/// Human label, e.g. `"Slow or missing reply"`.
[[nodiscard]] constexpr std::string_view label(TriggerCategory c) noexcept {
  return trigger_category_table[static_cast<std::size_t>(c)].label;
}
/// Human label of a trigger group, e.g. `"Relationship"`.
[[nodiscard]] constexpr std::string_view label(TriggerGroup g) noexcept {
  return trigger_group_table[static_cast<std::size_t>(g)].label;
}
/// Human label of a distortion, e.g. `"All-or-nothing thinking"`.
[[nodiscard]] constexpr std::string_view label(Distortion d) noexcept {
  return distortion_table[static_cast<std::size_t>(d)].label;
}
/// One plain-language line on a distortion, e.g. for `mind_reading`: `"being sure you know what
/// someone thinks or feels without asking"`.
[[nodiscard]] constexpr std::string_view description(Distortion d) noexcept {
  return distortion_table[static_cast<std::size_t>(d)].description;
}

/// The group a category belongs to.
[[nodiscard]] constexpr TriggerGroup group_of(TriggerCategory c) noexcept {
  return trigger_category_table[static_cast<std::size_t>(c)].group;
}

/// Non-throwing lookups by id.
[[nodiscard]] constexpr std::optional<TriggerCategory> trigger_category_from_id(
    std::string_view id) noexcept {
  return detail::find_id(trigger_category_table, id);
}
/// The trigger group with this id, or nullopt.
[[nodiscard]] constexpr std::optional<TriggerGroup> trigger_group_from_id(std::string_view id) noexcept {
  return detail::find_id(trigger_group_table, id);
}
/// The distortion with this id, or nullopt.
[[nodiscard]] constexpr std::optional<Distortion> distortion_from_id(std::string_view id) noexcept {
  return detail::find_id(distortion_table, id);
}

/// The reason `id` is refused as a trigger category: `unknown trigger
/// category 'ID'; valid ids: ...` (every reader, the bindings and the Arrow
/// bridge give this one text).
[[nodiscard]] inline std::string unknown_trigger_category(std::string_view id) {
  return detail::unknown_id("trigger category", id, trigger_category_table);
}
/// The reason `id` is refused as a distortion: `unknown cognitive distortion
/// 'ID'; valid ids: ...`.
[[nodiscard]] inline std::string unknown_distortion(std::string_view id) {
  return detail::unknown_id("cognitive distortion", id, distortion_table);
}

/// Throwing lookups: `std::invalid_argument` naming the unknown id.
[[nodiscard]] inline TriggerCategory parse_trigger_category(std::string_view id) {
  if (auto c = trigger_category_from_id(id)) return *c;
  detail::throw_invalid(unknown_trigger_category(id));
}
/// The distortion with this id; `std::invalid_argument` when unknown.
[[nodiscard]] inline Distortion parse_distortion(std::string_view id) {
  if (auto d = distortion_from_id(id)) return *d;
  detail::throw_invalid(unknown_distortion(id));
}

}  // namespace calmkit
