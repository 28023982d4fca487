// generate_journal: writes a deterministic synthetic journal (JSON Lines).
//
//   generate_journal --participants 3 --days 56 --seed 42 -o sample-journal.jsonl
//
// Each participant also answers the built-in self-assessments about every two
// weeks; --no-assessments leaves them out and changes nothing else.
//
// The same arguments always give the same file, on every platform.
#include <calmkit/io.hpp>
#include <calmkit/synthetic.hpp>

#include <charconv>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

int usage(const char* argv0, std::string_view problem) {
  if (!problem.empty()) std::cerr << "generate_journal: " << problem << "\n\n";
  std::cerr << "usage: " << argv0 << " [--participants N] [--days D] [--seed S] [--no-assessments] -o FILE\n"
            << "  --participants N  people in the cohort, >= 1 (default 3)\n"
            << "  --days D          days each person journals, >= 1 (default 56)\n"
            << "  --seed S          random seed, 0..2^64-1 (default 1)\n"
            << "  --no-assessments  leave out the self-assessments (every other record stays the same)\n"
            << "  -o FILE           where to write the journal (JSON Lines)\n";
  return 2;
}

/// Parses all of `text` as an unsigned or signed integer; false on any junk.
template <class T>
bool parse_number(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

int main(int argc, char** argv) {
  calmkit::SyntheticOptions options;
  std::string output;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      usage(argv[0], "");
      return 0;
    }
    if (arg == "--no-assessments") {
      options.assessments = false;
      continue;
    }
    if (i + 1 >= argc) return usage(argv[0], "option '" + std::string(arg) + "' needs a value");
    const std::string_view value = argv[++i];
    bool ok = true;
    if (arg == "--participants") {
      ok = parse_number(value, options.participants);
    } else if (arg == "--days") {
      ok = parse_number(value, options.days);
    } else if (arg == "--seed") {
      ok = parse_number(value, options.seed);
    } else if (arg == "-o" || arg == "--output") {
      output = value;
    } else {
      return usage(argv[0], "unknown option '" + std::string(arg) + "'");
    }
    if (!ok)
      return usage(argv[0], "'" + std::string(value) + "' is not a valid number for " + std::string(arg));
  }
  if (output.empty()) return usage(argv[0], "missing -o FILE");

  try {
    const calmkit::Journal journal = calmkit::synthetic_journal(options);
    calmkit::WriteOptions write;
    write.generator = "calmkit generate_journal";
    calmkit::write_journal(journal, output, write);
    std::cerr << "wrote " << journal.size() << " records (" << journal.triggers().size() << " triggers, "
              << journal.readings().size() << " readings, " << journal.exercises().size() << " exercises, "
              << journal.thought_records().size() << " thought records, " << journal.assessments().size()
              << " assessments) to " << output << '\n';
  } catch (const std::exception& e) {
    std::cerr << "generate_journal: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
