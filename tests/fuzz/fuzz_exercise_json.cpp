// libFuzzer target: custom exercise definitions from JSON.
//
// Any text must either give valid exercises or throw ExerciseFormatError; what
// parses must survive validate(), report a sane number of cycles, and round
// trip through to_json unchanged.
#include <calmkit/exercises.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(const calmkit::Exercise& ex) {
  calmkit::validate(ex);  // must not throw for a parsed definition
  if (ex.steps.empty()) std::abort();
  if (ex.cycles() < 1) std::abort();
  const std::string json = calmkit::to_json(ex);
  if (!(calmkit::exercise_from_json(json) == ex)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    check(calmkit::exercise_from_json(text));
  } catch (const calmkit::ExerciseFormatError&) {
  }
  try {
    const auto all = calmkit::exercises_from_json(text);
    for (const auto& ex : all) check(ex);
    if (!(calmkit::exercises_from_json(calmkit::to_json(all)) == all)) std::abort();
  } catch (const calmkit::ExerciseFormatError&) {
  }
  return 0;
}
