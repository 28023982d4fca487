// Writes a synthetic cohort journal for the read benchmark.
//
//   calmkit_bench_make_journal OUT.jsonl PARTICIPANTS DAYS [SEED]
//
// Prints the number of records written. ~220 lines per participant over 56
// days with the generator's default rates, so 4700 participants exceed
// 1,000,000 lines.
#include <calmkit/io.hpp>
#include <calmkit/synthetic.hpp>

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::cerr << "usage: calmkit_bench_make_journal OUT.jsonl PARTICIPANTS DAYS [SEED]\n";
    return 2;
  }
  try {
    calmkit::SyntheticOptions options;
    options.participants = std::stoi(argv[2]);
    options.days = std::stoi(argv[3]);
    options.seed = argc == 5 ? std::stoull(argv[4]) : 1;
    const auto journal = calmkit::synthetic_journal(options);
    calmkit::write_journal(journal, argv[1], {.header = true, .generator = "calmkit_bench_make_journal"});
    std::cout << journal.size() << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "calmkit_bench_make_journal: " << e.what() << '\n';
    return 1;
  }
}
