// breathing_pacer: a terminal breathing guide that writes the session into a journal.
//
//   breathing_pacer JOURNAL.jsonl [--exercise ID] [--speed X] [--participant P]
//                   [--trigger T] [--list]
//
// Asks the distress before (0-10, Enter to skip), guides the exercise live
// (the phase, a bar filling up through the phase, the seconds left) at about
// 20 frames a second, asks the distress after, then adds an exercise record
// to the journal (calmkit::append_records: a line at its end under the
// journal's lock, every byte already there kept) and reads the file back.
// Ctrl-C stops early: the session is still recorded, as not completed.
//
// --speed X runs the exercise clock X times faster than real time, so that
// tests can run a 76 s exercise in well under a second. Prompt steps (for
// exercises that have them) read one answer per line from standard input.
#include <calmkit/exercises.hpp>
#include <calmkit/io.hpp>
#include <calmkit/session.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) {
  g_interrupted = 1;
}

struct Args {
  std::string journal;
  std::string exercise = "breathing.4-7-8";
  double speed = 1.0;
  std::string participant;
  std::string trigger;
  bool list = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "breathing_pacer: " << why << "\n"
            << "usage: breathing_pacer JOURNAL.jsonl [--exercise ID] [--speed X] [--participant P]"
               " [--trigger T] [--list]\n";
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--exercise") {
      a.exercise = value();
    } else if (arg == "--speed" || arg == "--fast") {
      const std::string v = arg == "--fast" ? "20" : value();
      try {
        a.speed = std::stod(v);
      } catch (const std::exception&) {
        usage("--speed needs a number, got '" + v + "'");
      }
      if (!(a.speed > 0) || a.speed > 1e6) usage("--speed must be > 0 and at most 1e6");
    } else if (arg == "--participant") {
      a.participant = value();
    } else if (arg == "--trigger") {
      a.trigger = value();
    } else if (arg == "--list") {
      a.list = true;
    } else if (!arg.empty() && arg[0] == '-') {
      usage("unknown option " + arg);
    } else if (a.journal.empty()) {
      a.journal = arg;
    } else {
      usage("one journal file only");
    }
  }
  if (a.journal.empty() && !a.list) usage("missing the journal file");
  return a;
}

/// Asks for a 0-10 rating until one is given; Enter or end of input skips.
std::optional<calmkit::Intensity> ask_intensity(const char* question) {
  for (;;) {
    std::cout << question << " (0-10, Enter to skip): " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line) || line.empty()) {
      std::cout << '\n';
      return std::nullopt;
    }
    try {
      std::size_t used = 0;
      const int v = std::stoi(line, &used);
      if (used == line.size()) {
        if (auto i = calmkit::Intensity::make(v)) return i;
      }
    } catch (const std::exception&) {
    }
    std::cout << "Please type a whole number from 0 to 10.\n";
  }
}

/// Now, as an instant with the local UTC offset the system clock shows.
calmkit::Instant wall_now() {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  localtime_r(&t, &local);
  const auto offset = calmkit::UtcOffset::make(static_cast<int>(local.tm_gmtoff / 60));
  return calmkit::Instant::from_utc_us(us, offset.value_or(calmkit::UtcOffset{}));
}

std::string bar(double fraction, int width) {
  const int full = static_cast<int>(fraction * width + 0.5);
  std::string s;
  for (int i = 0; i < width; ++i) s += i < full ? "\u2588" : "\u2591";
  return s;
}

void draw(const calmkit::SessionState& st, bool tty) {
  if (!tty) return;  // plain output logs one line per step instead
  char secs[32];
  std::snprintf(secs, sizeof secs, "%5.1f s", st.seconds_left);
  std::cout << "\r\033[2K"
            << "\033[1m" << (st.text.empty() ? std::string(calmkit::label(st.phase)) : st.text) << "\033[0m  "
            << bar(st.step_progress, 30) << "  " << secs << "   round " << st.cycle << "/" << st.cycles
            << "  [" << static_cast<int>(st.session_progress * 100 + 0.5) << "%]" << std::flush;
}

/// An id no exercise of this participant has yet: ex-YYYYMMDDTHHMMSS[-n].
std::string fresh_id(const calmkit::Journal& j, const std::string& participant, calmkit::Instant t) {
  std::string base = "ex-";
  for (const char c : t.to_string().substr(0, 19)) {
    if (c != '-' && c != ':') base += c;
  }
  std::string id = base;
  for (int n = 2;; ++n) {
    bool taken = false;
    for (const auto& e : j.exercises_of(participant)) taken = taken || e.id == id;
    if (!taken) return id;
    id = base + "-" + std::to_string(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  try {
    if (args.list) {
      for (const auto& e : calmkit::catalog()) {
        std::cout << e.id << "  " << e.name << (e.has_prompts() ? "  (with questions)" : "") << '\n';
      }
      return 0;
    }
    const calmkit::Exercise& exercise = calmkit::catalog_exercise(args.exercise);

    // Read first, so that a broken journal stops us before the person does the work.
    calmkit::Journal journal;
    if (std::filesystem::exists(args.journal)) journal = calmkit::read_journal(args.journal);
    if (!args.trigger.empty() && !journal.find_trigger(args.participant, args.trigger)) {
      std::cerr << "breathing_pacer: the journal has no trigger '" << args.trigger << "'\n";
      return 1;
    }

    std::cout << exercise.name << "\n" << exercise.instructions << "\n\n";
    const auto before = ask_intensity("How strong is the distress right now?");

    const bool tty = isatty(STDOUT_FILENO) != 0;
    std::signal(SIGINT, on_sigint);
    // The engine's clock: real monotonic seconds, sped up for tests. A gap of
    // 5 real seconds between frames means the process was stopped: suspend.
    calmkit::Session session(exercise, calmkit::SessionOptions{5.0 * args.speed});
    const auto t0 = std::chrono::steady_clock::now();
    auto clock = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * args.speed;
    };
    const calmkit::Instant started_at = wall_now();
    session.start(clock());

    while (session.status() != calmkit::SessionStatus::finished &&
           session.status() != calmkit::SessionStatus::aborted) {
      if (g_interrupted) {
        session.abort(clock());
        break;
      }
      auto st = session.update(clock());
      if (st.status == calmkit::SessionStatus::paused) session.resume(clock());  // back from a suspend
      for (const auto& ev : session.poll_events()) {
        if (ev.type == calmkit::SessionEventType::step_started && !tty) {
          std::cout << "[round " << ev.cycle << "] "
                    << (ev.text.empty() ? std::string(calmkit::label(ev.phase)) : ev.text) << '\n';
        }
        if (ev.type == calmkit::SessionEventType::suspended && tty) std::cout << "\n(welcome back)\n";
      }
      st = session.state();
      if (st.waiting_for_answer) {
        std::cout << (tty ? "\r\033[2K" : "") << st.text << " (" << st.answers_given + 1 << "/"
                  << st.answers_needed << "): " << std::flush;
        std::string answer;
        if (!std::getline(std::cin, answer)) {
          session.abort(clock());
          break;
        }
        if (answer.empty()) {
          session.skip(clock());
        } else {
          session.answer(clock(), answer);
        }
        continue;
      }
      draw(st, tty);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::signal(SIGINT, SIG_DFL);
    const bool completed = session.status() == calmkit::SessionStatus::finished;
    std::cout << (tty ? "\r\033[2K" : "") << (completed ? "Done." : "Stopped early.") << "\n\n";

    const auto after = ask_intensity("And now?");
    calmkit::SessionRecordInfo info;
    info.participant = args.participant;
    info.id = fresh_id(journal, args.participant, started_at);
    info.started_at = started_at;
    info.intensity_before = before;
    info.intensity_after = after;
    info.trigger = args.trigger;
    auto record = session.finish(clock(), info);
    // The engine's clock ran args.speed times faster; the record's end is a
    // wall-clock instant (docs/journal-format.md): the real duration.
    record.end =
        record.time +
        calmkit::Duration(std::llround(static_cast<double>((record.end - record.time).count()) / args.speed));
    // Added as a line at the journal's end under its lock, every byte already
    // there kept (another app's fields, its line ends); the id is chosen
    // there, seeing what other writers added while the exercise ran.
    calmkit::append_records(args.journal, {[&](const calmkit::Journal& now) -> calmkit::Record {
                              record.id = info.id = fresh_id(now, args.participant, started_at);
                              return record;
                            }});

    const auto back = calmkit::read_journal(args.journal);
    const auto n = back.exercises_of(args.participant).size();
    std::cout << "journal: " << n << " exercise session" << (n == 1 ? "" : "s") << " in " << args.journal
              << " (this one: " << info.id << ", " << (completed ? "completed" : "not completed") << ")\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "\nbreathing_pacer: " << e.what() << '\n';
    return 1;
  }
}
