// Uses only the header-only model: a journal of two triggers.
#include <calmkit/journal.hpp>
#include <calmkit/model.hpp>

#include <iostream>

int main() {
  calmkit::Journal journal;
  calmkit::Trigger t;
  t.id = "t1";
  t.time = calmkit::Instant::parse("2026-03-02T21:40:00+02:00");
  t.category = calmkit::TriggerCategory::other;
  t.intensity = calmkit::Intensity(7);
  journal.add(t);
  t.id = "t2";
  t.time = calmkit::Instant::parse("2026-03-03T08:15:00+02:00");
  t.intensity = calmkit::Intensity(4);
  journal.add(t);
  std::cout << "model only: " << journal.triggers().size() << " triggers\n";
  return journal.triggers().size() == 2 ? 0 : 1;
}
