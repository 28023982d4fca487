// Builds against calmkit added with add_subdirectory(): generate, write, read back.
#include <calmkit/calmkit.hpp>

#include <iostream>

int main() {
  const auto journal = calmkit::synthetic_journal({.participants = 2, .days = 14, .seed = 7});
  const auto text = calmkit::to_jsonl(journal);
  const auto back = calmkit::parse_journal(text);
  if (!(back == journal)) {
    std::cerr << "round trip changed the journal\n";
    return 1;
  }
  std::cout << "round trip ok: " << journal.size() << " records\n";
  return 0;
}
