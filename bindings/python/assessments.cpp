// Instruments and scoring (calmkit/assessments.hpp) as Python sees them:
// instruments cross the boundary as plain dicts (the same keys as the C++
// struct's fields), so they read and write as JSON does.
#include "common.hpp"

#include <calmkit/assessments.hpp>

#include <string>
#include <utility>
#include <vector>

namespace calmkit::bindings {
namespace {

ScoringRule rule_from(const std::string& s, const char* field) {
  if (s == "sum") return ScoringRule::sum;
  if (s == "mean") return ScoringRule::mean;
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
  auto req = [&d](const char* k) -> py::object {
    if (!d.contains(k)) detail::throw_invalid(std::string("instrument definition: '") + k + "' is required");
    return d[k];
  };
  Instrument in;
  in.id = req("id").cast<std::string>();
  in.name = req("name").cast<std::string>();
  in.items = req("items").cast<std::vector<std::string>>();
  in.scale_min = req("scale_min").cast<int>();
  in.scale_max = req("scale_max").cast<int>();
  if (d.contains("description")) in.description = d["description"].cast<std::string>();
  if (d.contains("prompt")) in.prompt = d["prompt"].cast<std::string>();
  if (d.contains("scale_labels")) in.scale_labels = d["scale_labels"].cast<std::vector<std::string>>();
  if (d.contains("areas")) {
    for (py::handle h : d["areas"].cast<py::list>()) {
      const auto ad = h.cast<py::dict>();
      in.areas.push_back({ad["id"].cast<std::string>(),
                          ad.contains("name") ? ad["name"].cast<std::string>() : "",
                          ad["items"].cast<std::vector<std::size_t>>()});
      if (in.areas.back().name.empty()) in.areas.back().name = in.areas.back().id;
    }
  }
  if (d.contains("reverse_keyed")) in.reverse_keyed = d["reverse_keyed"].cast<std::vector<std::size_t>>();
  if (d.contains("total_rule")) in.total_rule = rule_from(d["total_rule"].cast<std::string>(), "total_rule");
  if (d.contains("area_rule")) in.area_rule = rule_from(d["area_rule"].cast<std::string>(), "area_rule");
  if (d.contains("bands")) {
    for (py::handle h : d["bands"].cast<py::list>()) {
      const auto bd = h.cast<py::dict>();
      in.bands.push_back(
          {bd["label"].cast<std::string>(), bd["min"].cast<double>(), bd["max"].cast<double>()});
    }
  }
  if (d.contains("area_flag_at") && !d["area_flag_at"].is_none())
    in.area_flag_at = d["area_flag_at"].cast<double>();
  if (d.contains("area_flag_label")) in.area_flag_label = d["area_flag_label"].cast<std::string>();
  if (d.contains("source")) in.source = d["source"].cast<std::string>();
  if (d.contains("licence")) in.licence = d["licence"].cast<std::string>();
  if (d.contains("reflection_only")) in.reflection_only = d["reflection_only"].cast<bool>();
  return in;
}

}  // namespace

void register_assessments(py::module_& m) {
  m.def(
      "instrument_ids", &instrument_ids,
      "The ids of every registered instrument: the built-ins (attachment-checkin, gad-7), then custom ones.");
  m.def(
      "instrument", [](const std::string& id) { return to_dict(instrument(id)); }, py::arg("id"),
      "The definition of a registered instrument as a dict (items, scale, areas, reverse_keyed, rules, "
      "bands, source, licence, reflection_only). ValueError for an unknown id.");
  m.def(
      "register_instrument", [](const py::dict& definition) { register_instrument(from_dict(definition)); },
      py::arg("definition"),
      "Registers a custom instrument from a dict with the keys instrument() returns (id, name, items, "
      "scale_min, scale_max required). ValueError when it is invalid or the id is taken.");
  m.def(
      "score",
      [](const std::string& id, const std::vector<int>& answers) {
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
