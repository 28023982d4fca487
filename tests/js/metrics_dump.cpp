// metrics_dump JOURNAL.jsonl: the metrics the JavaScript parity test compares
// (tests/python/test_js_parity.py), computed by the C++ API directly and
// printed as one JSON object. Shortest round-trip numbers (%.17g) keep every bit.
#include <calmkit/io.hpp>
#include <calmkit/metrics.hpp>

#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

void print_numbers(const char* key, const auto& v, bool last = false) {
  std::printf("\"%s\":[", key);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double x = static_cast<double>(v[i]);
    if (std::isnan(x)) {
      std::printf("%snull", i ? "," : "");
    } else {
      std::printf("%s%.17g", i ? "," : "", x);
    }
  }
  std::printf("]%s", last ? "" : ",");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: metrics_dump JOURNAL.jsonl\n");
    return 2;
  }
  try {
    namespace m = calmkit::metrics;
    const auto [journal, report] = calmkit::read_journal_with_report(argv[1]);
    const auto cols = m::Cohort::from_journal(journal);
    const auto eps = m::time_to_calm(cols);
    const auto summary = m::time_to_calm_summary(cols, eps);
    const auto weekly = m::trigger_frequency(cols, m::Period::week);
    std::printf("{");
    print_numbers("minutes", eps.minutes);
    print_numbers("calmed", eps.calmed);
    print_numbers("median_minutes", summary.median_minutes);
    print_numbers("ci_low", summary.ci_low);
    print_numbers("ci_high", summary.ci_high);
    print_numbers("weekly_count", weekly.count, true);
    std::printf("}\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "metrics_dump: %s\n", e.what());
    return 1;
  }
}
