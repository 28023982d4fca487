// Instruments and scoring (calmkit/assessments.hpp) as Python sees them:
// instruments cross the boundary as plain dicts (the same keys as the C++
// struct's fields), so they read and write as JSON does.
#include "common.hpp"

#include <calmkit/assessments.hpp>

#include <array>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace calmkit::bindings {
namespace {

/// Every scoring rule, in enum order.
constexpr std::array<ScoringRule, 2> scoring_rules{ScoringRule::sum, ScoringRule::mean};

ScoringRule rule_from(const std::string& s, const char* field) {
  for (const ScoringRule r : scoring_rules)
    if (s == to_id(r)) return r;
  detail::throw_invalid(std::string(field) + " must be 'sum' or 'mean', got '" + s + "'");
}

py::dict to_dict(const Instrument& in) {
  py::dict d;
  d["id"] = in.id;
  d["name"] = in.name;
  d["description"] = in.description;
  d["prompt"] = in.prompt;
  d["items"] = in.items;
  d["scale_min"] = in.scale_min;
  d["scale_max"] = in.scale_max;
  d["scale_labels"] = in.scale_labels;
  py::list areas;
  for (const auto& a : in.areas) {
    py::dict ad;
    ad["id"] = a.id;
    ad["name"] = a.name;
    ad["items"] = a.items;
    areas.append(std::move(ad));
  }
  d["areas"] = std::move(areas);
  d["reverse_keyed"] = in.reverse_keyed;
  d["total_rule"] = std::string(to_id(in.total_rule));
  d["area_rule"] = std::string(to_id(in.area_rule));
  py::list bands;
  for (const auto& b : in.bands) {
    py::dict bd;
    bd["label"] = b.label;
    bd["min"] = b.min;
    bd["max"] = b.max;
    bd["guidance"] = b.guidance;
    bands.append(std::move(bd));
  }
  d["bands"] = std::move(bands);
  d["area_flag_at"] = in.area_flag_at ? py::cast(*in.area_flag_at) : py::none();
  d["area_flag_label"] = in.area_flag_label;
  d["source"] = in.source;
  d["licence"] = in.licence;
  d["reflection_only"] = in.reflection_only;
  return d;
}

/// A dict with the keys of `to_dict` (id, name, items, scale_min and
/// scale_max required; the rest optional) -> Instrument. Unknown keys are a
/// ValueError, so that a misspelt key is not silently ignored.
Instrument from_dict(const py::dict& d) {
  static const char* const known[] = {
      "id",        "name",         "description",     "prompt",        "items",      "scale_min",
      "scale_max", "scale_labels", "areas",           "reverse_keyed", "total_rule", "area_rule",
      "bands",     "area_flag_at", "area_flag_label", "source",        "licence",    "reflection_only"};
  for (auto kv : d) {
    const auto key = py::str(kv.first).cast<std::string>();
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) detail::throw_invalid("instrument definition: unknown key '" + key + "'");
  }
  // Every value is cast through `as`, so that a value of the wrong type is a
  // ValueError naming the key instead of pybind11's bare cast error.
  auto as = [](const py::handle& v, const std::string& key, const char* expected) {
    return [v, key, expected]<class T>(std::type_identity<T>) -> T {
      // Text by calmkit's one rule for text (a str holding a lone surrogate is no UTF-8).
      const auto text = [](const py::handle& item, const std::string& field) -> std::optional<std::string> {
        auto bytes = utf8_bytes(item);
        if (bytes) {
          if (auto bad = rules::utf8_text(field, *bytes))
            detail::throw_invalid("instrument definition: field '" + bad->field + "': " + bad->reason);
        }
        return bytes;
      };
      if constexpr (std::is_same_v<T, std::string>) {
        if (auto t = text(v, key)) return std::move(*t);
      } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
          T out;
          std::size_t k = 0;
          for (const py::handle item : py::reinterpret_borrow<py::sequence>(v)) {
            auto t = text(item, key + '[' + std::to_string(k++) + ']');
            if (!t) break;
            out.push_back(std::move(*t));
          }
          if (out.size() == py::len(v)) return out;
        }
      }
      try {
        return v.cast<T>();
      } catch (const py::cast_error&) {
        detail::throw_invalid("instrument definition: '" + key + "' must be " + expected + ", got " +
                              py::str(py::type::of(v).attr("__name__")).cast<std::string>());
      }
    };
  };
  using text = std::type_identity<std::string>;
  using texts = std::type_identity<std::vector<std::string>>;
  using indices = std::type_identity<std::vector<std::size_t>>;
  auto req = [&d](const char* k) -> py::object {
    if (!d.contains(k)) detail::throw_invalid(std::string("instrument definition: '") + k + "' is required");
    return d[k];
  };
  Instrument in;
  in.id = as(req("id"), "id", "a string")(text{});
  in.name = as(req("name"), "name", "a string")(text{});
  in.items = as(req("items"), "items", "a list of strings")(texts{});
  in.scale_min = as(req("scale_min"), "scale_min", "an integer")(std::type_identity<int>{});
  in.scale_max = as(req("scale_max"), "scale_max", "an integer")(std::type_identity<int>{});
  if (d.contains("description")) in.description = as(d["description"], "description", "a string")(text{});
  if (d.contains("prompt")) in.prompt = as(d["prompt"], "prompt", "a string")(text{});
  if (d.contains("scale_labels"))
    in.scale_labels = as(d["scale_labels"], "scale_labels", "a list of strings")(texts{});
  if (d.contains("areas")) {
    const auto areas = as(d["areas"], "areas", "a list of objects")(std::type_identity<py::list>{});
    for (std::size_t i = 0; i < areas.size(); ++i) {
      const std::string at = "areas[" + std::to_string(i) + "]";
      const auto ad = as(areas[i], at, "an object")(std::type_identity<py::dict>{});
      if (!ad.contains("id") || !ad.contains("items"))
        detail::throw_invalid("instrument definition: '" + at + "' needs 'id' and 'items'");
      in.areas.push_back({as(ad["id"], at + ".id", "a string")(text{}),
                          ad.contains("name") ? as(ad["name"], at + ".name", "a string")(text{}) : "",
                          as(ad["items"], at + ".items", "a list of item indices (0-based)")(indices{})});
      if (in.areas.back().name.empty()) in.areas.back().name = in.areas.back().id;
    }
  }
  if (d.contains("reverse_keyed"))
    in.reverse_keyed = as(d["reverse_keyed"], "reverse_keyed", "a list of item indices (0-based)")(indices{});
  if (d.contains("total_rule"))
    in.total_rule = rule_from(as(d["total_rule"], "total_rule", "a string")(text{}), "total_rule");
  if (d.contains("area_rule"))
    in.area_rule = rule_from(as(d["area_rule"], "area_rule", "a string")(text{}), "area_rule");
  if (d.contains("bands")) {
    const auto bands = as(d["bands"], "bands", "a list of objects")(std::type_identity<py::list>{});
    for (std::size_t i = 0; i < bands.size(); ++i) {
      const std::string at = "bands[" + std::to_string(i) + "]";
      const auto bd = as(bands[i], at, "an object")(std::type_identity<py::dict>{});
      if (!bd.contains("label") || !bd.contains("min") || !bd.contains("max"))
        detail::throw_invalid("instrument definition: '" + at + "' needs 'label', 'min' and 'max'");
      in.bands.push_back({as(bd["label"], at + ".label", "a string")(text{}),
                          as(bd["min"], at + ".min", "a number")(std::type_identity<double>{}),
                          as(bd["max"], at + ".max", "a number")(std::type_identity<double>{}),
                          bd.contains("guidance") ? as(bd["guidance"], at + ".guidance", "a string")(text{})
                                                  : std::string{}});
    }
  }
  if (d.contains("area_flag_at") && !d["area_flag_at"].is_none())
    in.area_flag_at = as(d["area_flag_at"], "area_flag_at", "a number")(std::type_identity<double>{});
  if (d.contains("area_flag_label"))
    in.area_flag_label = as(d["area_flag_label"], "area_flag_label", "a string")(text{});
  if (d.contains("source")) in.source = as(d["source"], "source", "a string")(text{});
  if (d.contains("licence")) in.licence = as(d["licence"], "licence", "a string")(text{});
  if (d.contains("reflection_only"))
    in.reflection_only =
        as(d["reflection_only"], "reflection_only", "true or false")(std::type_identity<bool>{});
  return in;
}

}  // namespace

void register_assessments(py::module_& m) {
  m.def(
      "_scoring_rules",
      [] {
        py::list out;
        for (const ScoringRule r : scoring_rules) out.append(std::string(to_id(r)));
        return out;
      },
      "The scoring rules' ids (ScoringRule), in enum order.");
  m.def(
      "instrument_ids", &instrument_ids,
      "The ids of every registered instrument: the built-ins (attachment-checkin, gad-7), then custom ones.");
  m.def("builtin_instrument_ids", &builtin_instrument_ids,
        "The ids of the built-in instruments only (attachment-checkin, gad-7).");
  m.def(
      "instrument", [](const Utf8Arg<"id">& id) { return to_dict(instrument(id)); }, py::arg("id"),
      "The definition of a registered instrument as a dict (items, scale, areas, reverse_keyed, rules, "
      "bands, source, licence, reflection_only). ValueError for an unknown id.");
  m.def(
      "register_instrument", [](const py::dict& definition) { register_instrument(from_dict(definition)); },
      py::arg("definition"),
      "Registers a custom instrument from a dict with the keys instrument() returns (id, name, items, "
      "scale_min, scale_max required). ValueError when it is invalid or the id is taken.");
  m.def(
      "score",
      [](const Utf8Arg<"instrument">& id, const std::vector<int>& answers) {
        const auto s = score(instrument(id), answers);
        py::dict d;
        d["total"] = s.total;
        d["band"] = s.band;
        py::dict areas;
        py::list flagged;
        for (const auto& a : s.areas) {
          areas[py::str(a.area)] = a.score;
          if (a.flagged) flagged.append(a.area);
        }
        d["areas"] = std::move(areas);
        d["flagged"] = std::move(flagged);
        d["flags"] = s.flags;
        return d;
      },
      py::arg("instrument"), py::arg("answers"),
      "Scores answers: {'total', 'band' ('' without bands), 'areas' {area id: score}, 'flagged' "
      "[area ids], 'flags' [messages]}. ValueError naming the item for an answer out of scale.");
}

}  // namespace calmkit::bindings
