// journal_summary: reads a calmkit journal and prints, per participant, the
// span of days it covers and how many of each record was kept.
//
//   journal_summary examples/data/sample-journal.jsonl
//
// Built by CTest through find_package(calmkit) (tests/consumer), so it is also
// the proof that an installed calmkit can be used from another project.
#include <calmkit/calmkit.hpp>

#include <boost/date_time/gregorian/gregorian.hpp>  // to_iso_extended_string

#include <algorithm>
#include <exception>
#include <iostream>
#include <optional>
#include <utility>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: journal_summary JOURNAL.jsonl\n";
    return 2;
  }
  try {
    const auto [journal, report] = calmkit::read_journal_with_report(argv[1]);
    std::cout << "journal: " << report.path << " (" << report.lines << " lines, format v" << report.version
              << ")\n";
    const auto people = journal.participants();
    std::cout << "participants: " << people.size() << '\n';
    for (const auto& p : people) {
      // The first and last day written on the person's records: each record's
      // date at its own offset (the person's local time, journal format v1).
      // Not the local dates of the earliest and latest instants: someone who
      // travelled east can have a later instant on an earlier day.
      std::optional<std::pair<boost::gregorian::date, boost::gregorian::date>> days;
      auto see = [&days](const calmkit::Instant& t) {
        const auto d = t.local_date();
        if (!days) days.emplace(d, d);
        days->first = std::min(days->first, d);
        days->second = std::max(days->second, d);
      };
      for (const auto& r : journal.triggers_of(p)) see(r.time);
      for (const auto& r : journal.readings_of(p)) see(r.time);
      for (const auto& r : journal.exercises_of(p)) {
        see(r.time);
        see(r.end);
      }
      for (const auto& r : journal.thought_records_of(p)) see(r.time);
      for (const auto& r : journal.assessments_of(p)) see(r.time);
      std::cout << "  " << (p.empty() ? "(single user)" : p) << ": "
                << boost::gregorian::to_iso_extended_string(days->first) << " .. "
                << boost::gregorian::to_iso_extended_string(days->second) << ", "
                << journal.triggers_of(p).size() << " triggers, " << journal.readings_of(p).size()
                << " readings, " << journal.exercises_of(p).size() << " exercises, "
                << journal.thought_records_of(p).size() << " thought records, "
                << journal.assessments_of(p).size() << " assessments\n";
    }
    return 0;
  } catch (const calmkit::JournalFormatError& e) {
    std::cerr << "journal_summary: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "journal_summary: " << e.what() << '\n';
    return 1;
  }
}
