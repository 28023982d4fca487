// libFuzzer target: the JSON Lines journal reader, strict and lenient.
//
// Any byte string must either parse or throw JournalFormatError (strict), and
// the lenient reader must never throw on content at all. What parses must write
// back out and read again to the same number of records (round trip).
#include <calmkit/io.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Strict: parse or a clear format error, nothing else.
  try {
    const auto strict = calmkit::parse_journal_with_report(text, {}, "fuzz.jsonl");
    const std::string again = calmkit::to_jsonl(strict.journal);
    const auto back = calmkit::parse_journal_with_report(again, {}, "roundtrip.jsonl");
    if (back.report.records != strict.report.records) std::abort();
    if (calmkit::to_jsonl(back.journal) != again) std::abort();
  } catch (const calmkit::JournalFormatError&) {
  }

  // Lenient: bad lines are skipped and reported, never thrown.
  try {
    const auto lenient = calmkit::parse_journal_with_report(text, {.lenient = true}, "fuzz.jsonl");
    for (const auto& s : lenient.report.skipped) {
      if (s.line == 0 || s.line > lenient.report.lines) std::abort();
      if (s.message.empty()) std::abort();
    }
    // What the lenient reader kept must itself be a valid journal.
    const auto back =
        calmkit::parse_journal_with_report(calmkit::to_jsonl(lenient.journal), {}, "kept.jsonl");
    if (back.report.records != lenient.report.records) std::abort();
  } catch (const calmkit::JournalFormatError&) {
    // A file-level problem (unsupported version in the header) still throws.
  }
  return 0;
}
