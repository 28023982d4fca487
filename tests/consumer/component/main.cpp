// Uses one component of calmkit through its own header and its own target
// (CMakeLists.txt defines CALMKIT_COMPONENT_<NAME>), and prints one line that
// CTest checks.
#include <iostream>

#if defined(CALMKIT_COMPONENT_MODEL)
#include <calmkit/journal.hpp>
int main() {
  calmkit::Journal journal;
  journal.add(calmkit::Trigger{.id = "t1",
                               .time = calmkit::Instant::parse("2026-03-02T21:40:00+02:00"),
                               .category = calmkit::TriggerCategory::other,
                               .intensity = calmkit::Intensity(7)});
  std::cout << "component model: " << journal.triggers().size() << " trigger\n";
}
#elif defined(CALMKIT_COMPONENT_ASSESSMENTS)
#include <calmkit/assessments.hpp>
int main() {
  // GAD-7: seven items, each scored 0..3, so the total is 0..21.
  const auto& gad7 = calmkit::instrument("gad-7");
  std::cout << "component assessments: gad-7 has " << gad7.items.size() << " items\n";
}
#elif defined(CALMKIT_COMPONENT_IO)
#include <calmkit/io.hpp>
int main() {
  const auto [journal, report] = calmkit::read_journal_with_report(SAMPLE);
  std::cout << "component io: " << journal.participants().size() << " participants\n";
}
#elif defined(CALMKIT_COMPONENT_SYNTHETIC)
#include <calmkit/synthetic.hpp>
int main() {
  calmkit::SyntheticOptions options;
  options.participants = 2;
  const auto journal = calmkit::synthetic_journal(options);
  std::cout << "component synthetic: " << journal.participants().size() << " participants\n";
}
#elif defined(CALMKIT_COMPONENT_EXERCISES)
#include <calmkit/exercises.hpp>
int main() {
  // 4-7-8 breathing: inhale 4 s, hold 7 s, exhale 8 s.
  const auto& e = calmkit::catalog_exercise("breathing.4-7-8");
  std::cout << "component exercises: " << e.id << ", catalog of " << calmkit::catalog().size() << '\n';
}
#elif defined(CALMKIT_COMPONENT_STORE)
#include <calmkit/store.hpp>
#include <filesystem>
int main() {
  const auto path = std::filesystem::path(WORK) / "component.calmkit";
  std::filesystem::remove(path);
  auto store = calmkit::Store::open(path);
  std::cout << "component store: schema " << store.schema_version() << '\n';
}
#elif defined(CALMKIT_COMPONENT_METRICS)
#include <calmkit/metrics.hpp>
int main() {
  // The two-sided 95% standard normal quantile: 1.959964 (to 6 decimals).
  const double z = calmkit::metrics::normal_quantile(0.95);
  std::cout << "component metrics: z = " << (z > 1.95996 && z < 1.95997 ? "1.95996" : "wrong") << '\n';
}
#else
#error "CALMKIT_COMPONENT_<NAME> is not defined"
#endif
