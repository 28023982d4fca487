// journal_summary: reads a calmkit journal and prints, per participant, the
// span of days it covers and how many of each record was kept.
//
//   journal_summary examples/data/sample-journal.jsonl
//
// Built by CTest through find_package(calmkit) (tests/consumer), so it is also
// the proof that an installed calmkit can be used from another project.
#include <calmkit/calmkit.hpp>

#include <boost/date_time/gregorian/gregorian.hpp>  // to_iso_extended_string

#include <exception>
#include <iostream>

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
      const auto span = journal.span_of(p);
      std::cout << "  " << (p.empty() ? "(single user)" : p) << ": "
                << boost::gregorian::to_iso_extended_string(span->first.local_date()) << " .. "
                << boost::gregorian::to_iso_extended_string(span->second.local_date()) << ", "
                << journal.triggers_of(p).size() << " triggers, " << journal.readings_of(p).size()
                << " readings, " << journal.exercises_of(p).size() << " exercises, "
                << journal.thought_records_of(p).size() << " thought records\n";
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
