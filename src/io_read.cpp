// The journal format v1 (JSON Lines): the reader (calmkit/io.hpp's
// parse_journal and read_journal; the writer is src/io_write.cpp). Its parts:
//   io_read.cpp        shares, the pool of threads; the merge in line order
//                      and the checks across lines; the public functions
//   io_read_line.*     the line parser (one share of lines into records)
//   io_read_fields.hpp the field getters the line parser checks values with
//   io_read_keys.hpp   the hashed (participant, id) keys and their table
//   io_read_share.hpp  what a share's parse hands the merge
//
// The input is cut at line starts into shares of about
// ReadOptions::chunk_bytes (a file's share is read into a padded buffer of
// its own; an in-memory text is sliced), two per thread in flight. One pool
// of threads, started once per read (the calling thread among them), runs
// the same loop on every thread: merge the next share in line order once it
// is parsed (one merge at a time), else read the next share, else parse
// the oldest one waiting (io_read_line.cpp). The merge runs the checks that
// need the whole file (duplicate ids as records arrive; a trigger reference
// as it arrives when its trigger came before, else at the end, in ranges on
// several threads) on the records' hashed keys alone: records, line
// numbers, errors and the lenient report do not depend on the thread
// count. The shares fill JournalBuilders (columns, no record
// values), appended in line order to one builder sized once from the file
// size; the reader hands each reference's trigger row to the builder as it
// checks it, and build() sorts; the parallel parts of the check at the end
// and of the sort run on the same pool of threads (Team). A lenient read removes from the columns what
// the checks across lines leave out: a share's records with a duplicate id
// before the share is appended, the records whose trigger never came at the
// end.
#include "io_read_keys.hpp"
#include "io_read_line.hpp"
#include "io_read_padded.hpp"
#include "io_read_share.hpp"

#include <calmkit/files.hpp>
#include <calmkit/io.hpp>
#include <calmkit/validate.hpp>

#include "io_error.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace calmkit {
namespace detail::jsonl {
namespace {

/// The number of threads `ReadOptions::threads` asks for (0: one per hardware thread).
std::size_t thread_count(unsigned requested) {
  constexpr unsigned most = 256;  // a sanity cap; shares smaller than a line help nobody
  unsigned n = requested == 0 ? std::thread::hardware_concurrency() : requested;
  return std::clamp(n, 1u, most);
}

/// One share of the input in flight: its lines, what their parse found, and
/// where it stands. A file read keeps the share's bytes in `text` (padded for
/// simdjson); an in-memory read points into the caller's padded copy.
struct Slot {
  enum class State { free, queued, parsing, parsed };
  std::string text;
  const char* begin = nullptr;       ///< the share's first line
  const char* end = nullptr;         ///< after its last line
  const char* buffer_end = nullptr;  ///< bytes up to here are readable
  std::size_t seq = 0;               ///< the share's place in line order, from 0
  ShareResult result;
  State state = State::free;
};

/// What a source hands the reader next.
enum class Next {
  share,          ///< the slot holds the next share (whole lines)
  done,           ///< the input has ended
  line_too_long,  ///< the next line is longer than `max_line_bytes`: no share
};

/// The reader's threads once every share is merged: the thread that ends
/// the read hands the parallel parts of the reference check and of the sort
/// (`run`) to the other threads of the pool, which wait for them instead of
/// exiting. A thread started (or woken from sleep) for each part would begin
/// it only once the scheduler runs it, a whole time slice later on a busy
/// machine (1-4 ms for each of the dozen parts of a read at load 9), while
/// the caller, its own part done, waits for it. Here the parts are claimed
/// one at a time by whichever thread is free: a part no other thread has
/// claimed yet runs on the caller, so the caller never waits for a thread
/// that has not started; and between the parts the threads spin for a moment
/// before they sleep, as the next part comes a fraction of a millisecond
/// later.
class Team {
 public:
  /// Serves `run` on this thread until `stop`.
  void serve() noexcept {
    std::uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
      if (stop_) return;
      if (job_ != seen && next_ < n_) {
        const std::size_t i = next_++;
        seen = next_ == n_ ? job_ : seen;
        lock.unlock();
        call_(context_, i);  // noexcept: `run` keeps the failures
        lock.lock();
        if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) finished_.notify_all();
        continue;
      }
      if (job_ != seen) seen = job_;  // every part of that job is claimed
      lock.unlock();
      const bool more = spin([&] { return published_.load(std::memory_order_acquire) != seen; });
      lock.lock();
      if (!more) wake_.wait(lock, [&] { return stop_ || job_ != seen; });
    }
  }

  /// Calls `fn(0)` .. `fn(n - 1)`, each once, on this thread and those
  /// serving; returns once all have returned. The first exception, by
  /// index, is rethrown then.
  template <class Fn>
  void run(std::size_t n, Fn&& fn) {
    std::vector<std::exception_ptr> failure(n);
    auto guarded = [&](std::size_t i) noexcept {
      try {
        fn(i);
      } catch (...) {
        failure[i] = std::current_exception();
      }
    };
    if (n <= 1 || !serving_) {
      for (std::size_t i = 0; i < n; ++i) guarded(i);
    } else {
      {
        const std::lock_guard lock(mutex_);
        call_ = [](void* c, std::size_t i) noexcept { (*static_cast<decltype(guarded)*>(c))(i); };
        context_ = &guarded;
        n_ = n;
        next_ = 0;
        done_.store(0, std::memory_order_relaxed);
        published_.store(++job_, std::memory_order_release);
      }
      wake_.notify_all();
      std::unique_lock lock(mutex_);
      while (next_ < n_) {
        const std::size_t i = next_++;
        lock.unlock();
        guarded(i);
        lock.lock();
        done_.fetch_add(1, std::memory_order_acq_rel);
      }
      lock.unlock();
      // The parts other threads claimed: they end about when this one did.
      if (!spin([&] { return done_.load(std::memory_order_acquire) == n; })) {
        lock.lock();
        finished_.wait(lock, [&] { return done_.load(std::memory_order_acquire) == n_; });
      }
    }
    for (const auto& f : failure) {
      if (f) std::rethrow_exception(f);
    }
  }

  /// From now on `run` hands parts to the threads that call `serve`.
  void open() noexcept { serving_ = true; }

  /// Ends `serve` on every thread.
  void stop() noexcept {
    {
      const std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
  }

 private:
  /// Whether `ready()` held within about 50 microseconds of spinning.
  template <class Ready>
  static bool spin(Ready&& ready) noexcept {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
    for (;;) {
      for (int k = 0; k < 64; ++k) {
        if (ready()) return true;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      }
      if (std::chrono::steady_clock::now() >= until) return false;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;      ///< a job was published, or `stop`
  std::condition_variable finished_;  ///< the last part of a job returned
  // The job, guarded by `mutex_`: parts [0, n_) of `call_(context_, i)`, the
  // next one to claim, and how many have returned.
  void (*call_)(void*, std::size_t) noexcept = nullptr;
  void* context_ = nullptr;
  std::size_t n_ = 0;
  std::size_t next_ = 0;
  std::uint64_t job_ = 0;                    ///< the job's number, from 1
  std::atomic<std::uint64_t> published_{0};  ///< `job_`, for the threads that spin
  std::atomic<std::size_t> done_{0};
  bool stop_ = false;
  bool serving_ = false;
};

/// Reads a journal share by share. The input is cut at line starts into
/// shares of about `chunk_bytes`; the shares are parsed on a pool of threads
/// started once for the read (the calling thread among them) while the calling
/// thread reads the next ones and merges those parsed, in line order, where
/// the rules across lines are checked (unique ids; trigger references at the
/// end). Parsing share k + 1 so overlaps the merge of share k. Records, their
/// order, line numbers, errors and the lenient report are the same for any
/// number of threads, and the same as a read of the whole input in one piece.
class Reader {
 public:
  /// `max_line_bytes`: 0 for no limit (the in-memory text of `parse_journal`).
  Reader(std::string_view name, ReadOptions options, std::size_t max_line_bytes)
      : name_(name),
        options_(options),
        max_line_bytes_(max_line_bytes),
        threads_(thread_count(options.threads)),
        chunk_bytes_(std::max<std::size_t>(options.chunk_bytes, 1024)) {
    parsers_.resize(threads_);
    // Two shares per thread in flight: one being parsed, one read and waiting
    // (or parsed and waiting for its merge).
    slots_ = std::vector<Slot>(threads_ == 1 ? 1 : 2 * threads_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() { stop_workers(); }

  /// Bytes of input per share (at least 1 KiB).
  [[nodiscard]] std::size_t chunk_bytes() const noexcept { return chunk_bytes_; }

  /// Has a strict read give each record's line to `lines` (see RecordLines).
  void note_lines(RecordLines* lines) noexcept { lines_ = lines; }

  /// Reads every share `source` gives (`source.next(slot)` fills the slot's
  /// text and bounds and returns what it found; `source.expected_bytes()` is
  /// the input's size when known, else 0) and returns the journal and report.
  template <class Source>
  ReadResult read(Source& source) {
    // The pool's threads end before this returns or throws: they read from
    // `source`, which the caller may destroy right after, and a failed read
    // throws while other threads still read or parse later shares.
    struct StopOnExit {
      Reader& reader;
      explicit StopOnExit(Reader& r) noexcept : reader(r) {}
      StopOnExit(const StopOnExit&) = delete;
      StopOnExit& operator=(const StopOnExit&) = delete;
      ~StopOnExit() { reader.stop_workers(); }
    } const stop_on_exit{*this};
    workers_.reserve(threads_ - 1);
    for (std::size_t k = 1; k < threads_; ++k) {
      try {
        workers_.emplace_back([this, k, &source] {
          run(k, source);
          team_.serve();  // the parts of the end of the read, until stop_workers
        });
      } catch (const std::system_error&) {
        break;  // out of threads: those started do the rest
      }
    }
    run(0, source);
    // In line order: a bad line before, then the input's own failure.
    if (failure_) std::rethrow_exception(failure_);
    if (source_failure_) std::rethrow_exception(source_failure_);
    if (too_long_) {
      throw JournalFormatError(std::string(name_), line_no_ + 1, "",
                               detail::jsonl::LineParser::line_too_long(max_line_bytes_));
    }
    if (!workers_.empty()) team_.open();
    return finish();
  }

 private:
  [[nodiscard]] Slot& slot_of(std::size_t seq) noexcept { return slots_[seq % slots_.size()]; }

  /// One thread's part of a read (thread `k`, the caller's 0), the same on
  /// every thread: merge the next share in line order once it is parsed,
  /// when no other thread merges; else read the next share into a free slot,
  /// when no other thread reads; else parse the oldest share waiting; else
  /// wait. The merges, the only part that runs one at a time, so move from
  /// thread to thread as the parses end, and no thread waits for another's
  /// merge while there is a share to parse. Returns once every share is
  /// merged, or a merge failed (the failure is kept for `read`).
  template <class Source>
  void run(std::size_t k, Source& source) noexcept {
    std::unique_lock lock(mutex_, std::defer_lock);
    try {
      lock.lock();
      for (;;) {
        if (stop_ || failure_ || (input_done_ && next_merge_ == next_seq_)) return;
        if (!merging_ && next_merge_ < next_seq_ && slot_of(next_merge_).state == Slot::State::parsed) {
          Slot& s = slot_of(next_merge_);
          merging_ = true;
          lock.unlock();
          merge_slot(k, s, source.expected_bytes());
          reserve_once(source.expected_bytes());
          lock.lock();
          merging_ = false;
          s.state = Slot::State::free;
          ++next_merge_;
        } else if (!reading_ && !input_done_ && next_seq_ - next_merge_ < slots_.size()) {
          Slot& s = slot_of(next_seq_);  // free: the share before in this slot is merged
          reading_ = true;
          lock.unlock();
          Next got = Next::done;
          std::exception_ptr failed;
          try {
            got = source.next(s);
          } catch (...) {
            failed = std::current_exception();  // thrown once the shares before are merged
          }
          lock.lock();
          reading_ = false;
          if (got == Next::share) {
            s.seq = next_seq_++;
            s.state = Slot::State::queued;
            queue_.push_back(&s);
          } else {
            input_done_ = true;
            too_long_ = got == Next::line_too_long;
            source_failure_ = failed;
          }
        } else if (!queue_.empty()) {
          Slot& s = *queue_.front();
          queue_.pop_front();
          s.state = Slot::State::parsing;
          lock.unlock();
          parsers_[k].run(s.begin, s.end, s.buffer_end, s.seq == 0, options_.lenient, max_line_bytes_,
                          s.result);  // never throws: a failure waits in the result for its merge
          lock.lock();
          s.state = Slot::State::parsed;
        } else {
          changed_.wait(lock);
          continue;
        }
        changed_.notify_all();
      }
    } catch (...) {
      if (!lock.owns_lock()) lock.lock();
      if (!failure_) failure_ = std::current_exception();
      changed_.notify_all();
    }
  }

  /// Ends the threads of the pool (they return once the read is over or has
  /// failed, and the end of the read needs them no more).
  void stop_workers() noexcept {
    {
      const std::lock_guard lock(mutex_);
      stop_ = stop_ || failure_ || !(input_done_ && next_merge_ == next_seq_);
    }
    changed_.notify_all();
    team_.stop();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  /// Merges share `s`, the next in line order, on thread `k` (the input
  /// holds `expected` bytes, 0 when unknown).
  void merge_slot(std::size_t k, Slot& s, std::size_t expected) {
    ShareResult& r = s.result;
    if (r.failure) std::rethrow_exception(r.failure);
    if (!seen_content_ && r.content && !r.header_allowed) {
      // Every share before this one was blank: its first line may be the header.
      parsers_[k].run(s.begin, s.end, s.buffer_end, true, options_.lenient, max_line_bytes_, r);
      if (r.failure) std::rethrow_exception(r.failure);
    }
    const auto bytes = static_cast<std::size_t>(s.end - s.begin);
    // Once the columns are sized for the whole input, a column or table that
    // still runs out of room is sized for what the rest of the input holds
    // if it is like this share: in a journal written one record type after
    // another the first shares hold only triggers, and each later type would
    // otherwise regrow (and copy) its columns a dozen times.
    scale_ = 0;
    if (reserved_ && bytes > 0 && expected > merged_bytes_ + bytes) {
      scale_ = 1 + 1.1 * static_cast<double>(expected - merged_bytes_ - bytes) / static_cast<double>(bytes);
    }
    merge(r);
    merged_bytes_ += bytes;
  }

  /// Once the first shares are merged, sizes the journal's columns for the
  /// whole input (`expected` bytes, 0 when unknown) from what they held: the
  /// columns then fill without regrowing (each regrowth copies them whole and
  /// touches twice the memory). Capacity never touched costs address space,
  /// not memory.
  void reserve_once(std::size_t expected) {
    if (reserved_ || expected == 0) return;
    if (merged_bytes_ < std::max<std::size_t>(std::size_t{8} << 20, expected / 64))
      return;  // too few seen yet
    reserved_ = true;
    if (merged_bytes_ >= expected) return;
    // A tenth more than the sample's density predicts: a short guess costs one regrowth.
    const double factor = 1.1 * static_cast<double>(expected) / static_cast<double>(merged_bytes_);
    all_.reserve_scaled(factor);
    detail::grow(refs_, static_cast<std::size_t>(static_cast<double>(refs_.size()) * factor));
    // The id tables too: none is then rehashed as it fills.
    for (KeyTable& ids : ids_) {
      if (ids.size() > 0) {
        ids.reserve(static_cast<std::size_t>(static_cast<double>(ids.size()) * factor),
                    static_cast<std::size_t>(static_cast<double>(ids.key_bytes()) * factor));
      }
    }
  }

  /// Ends the read: cross-record checks and the result.
  ReadResult finish() {
    ReadReport report = std::move(report_);
    report.path = std::string(name_);
    report.lines = line_no_;
    resolve_references();
    // The references' memory, written and needed no more, holds the sort's
    // keys and gathers: those pages are mapped already.
    detail::GatherScratch spare(std::move(refs_));
    release_indexes();
    std::sort(skipped_.begin(), skipped_.end(),
              [](const SkippedLine& a, const SkippedLine& b) { return a.line < b.line; });
    report.skipped = std::move(skipped_);
    report.records = all_.size();
    // Sorted through a key permutation, one gather per column; the links
    // resolved to trigger rows (every reference kept is known to be good).
    // The sorts and gathers of the larger record types on the reader's threads.
    const std::size_t parts =
        std::clamp<std::size_t>(all_.size() / 65536, 1, std::min<std::size_t>(threads_, 8));
    std::array<std::vector<std::uint32_t>, 5> order;
    ReadResult result{std::move(all_).build(
                          detail::trusted, parts, [this](std::size_t n, auto&& fn) { team_.run(n, fn); },
                          std::move(spare), lines_ != nullptr ? &order : nullptr),
                      std::move(report)};
    if (lines_ != nullptr) {  // the lines, in line order, to the rows' order
      for (std::size_t t = 0; t < order.size(); ++t) {
        if (order[t].empty()) continue;
        std::vector<std::size_t> sorted(order[t].size());
        for (std::size_t row = 0; row < sorted.size(); ++row) sorted[row] = lines_->of[t][order[t][row]];
        lines_->of[t] = std::move(sorted);
      }
    }
    return result;
  }

  /// Frees what only the checks across lines needed, before the records are
  /// sorted (the sort's own scratch memory then takes its place).
  void release_indexes() noexcept {
    ids_ = {};
    refs_ = {};
    ref_keys_ = {};
    std::vector<Slot>().swap(slots_);
    std::vector<LineParser>().swap(parsers_);
  }

  /// Checks one share's records of one type, in line order, before the share
  /// joins the journal: refuses an id already used by a kept record of the
  /// same participant and type (strict: the first such line is reported
  /// through `first_error`; lenient: the record leaves the share's builder),
  /// and notes the trigger reference of each record kept, with its row in
  /// the journal, for the check at the end (the trigger may come later).
  template <class R, class FirstError>
  void merge_type(ShareResult& s, std::size_t base, FirstError&& first_error) {
    constexpr auto type = static_cast<std::size_t>(record_type_of<R>);
    ShareKeys& k = s.keys[type];
    KeyTable& ids = ids_[type];
    const std::size_t n = k.meta.size();
    std::size_t dropped = 0;
    drop_.clear();
    if constexpr (detail::has_link<R>) {
      // A pending reference keeps its record's row in 32 bits (as the
      // builder's sort and erase do).
      if (rows_[type] + n > std::numeric_limits<std::uint32_t>::max()) [[unlikely]]
        throw std::length_error("calmkit: more than 2^32 records of one type");
      // A type that comes late: one regrowth (n: at most n references).
      if (scale_ > 0 && refs_.size() + n > refs_.capacity())
        detail::grow(refs_, refs_.size() + static_cast<std::size_t>(static_cast<double>(n) * scale_));
    }
    // The slot of a key a few records ahead is asked for while this one is
    // inserted: the merge runs one share at a time, and a slot is a likely
    // cache miss in a table of megabytes. So are the trigger's slot and key
    // of a reference further on.
    constexpr std::size_t ahead = 8, ref_slot_ahead = 16, ref_key_ahead = 8;
    const KeyTable& triggers = ids_[static_cast<std::size_t>(RecordType::trigger)];
    for (std::size_t j = 0; j < std::min(n, ahead); ++j) {
      if (k.meta[j].key != RecordMeta::none) ids.prefetch(k.meta[j].key_hash);
    }
    if constexpr (detail::has_link<R>) {
      for (std::size_t j = 0; j < std::min(n, ref_slot_ahead); ++j) {
        if (k.meta[j].ref != RecordMeta::none) triggers.prefetch(k.meta[j].ref_hash);
      }
    }
    for (std::size_t j = 0; j < n; ++j) {
      if (j + ahead < n && k.meta[j + ahead].key != RecordMeta::none)
        ids.prefetch(k.meta[j + ahead].key_hash);
      if constexpr (detail::has_link<R>) {
        if (j + ref_slot_ahead < n && k.meta[j + ref_slot_ahead].ref != RecordMeta::none)
          triggers.prefetch(k.meta[j + ref_slot_ahead].ref_hash);
        if (j + ref_key_ahead < n && k.meta[j + ref_key_ahead].ref != RecordMeta::none)
          triggers.prefetch_key(k.meta[j + ref_key_ahead].ref_hash);
      }
      const RecordMeta& m = k.meta[j];
      const std::size_t line = base + m.line;
      if (m.key != RecordMeta::none) {
        const auto [participant, id] = get_key(k.bytes, m.key);
        const std::size_t first = ids.insert(m.key_hash, participant, id, line);
        if (first != KeyTable::none) [[unlikely]] {
          std::string reason = rules::duplicate_id(record_type_of<R>, participant, id) +
                               " (first used on line " + std::to_string(first) + ")";
          if (!options_.lenient) {
            first_error(line, "id", std::move(reason));
            return;  // the read fails at this line or an earlier one
          }
          skip(line, "id", std::move(reason));
          drop_.push_back(j);
          ++dropped;
          continue;
        }
      }
      if (lines_ != nullptr) lines_->of[type].push_back(line);
      if (m.ref != RecordMeta::none) {
        const auto [participant, trigger] = get_key(k.bytes, m.ref);
        const std::size_t index = rows_[type] + j - dropped;
        // A trigger already read is the one the check at the end would find
        // (the table only grows, and a key keeps its ordinal): the link is
        // set once the share is appended, and only a reference to a trigger
        // not read yet waits, with a copy of its trigger's id, for the end.
        const std::size_t row = triggers.find(m.ref_hash, participant, trigger);
        if (row != KeyTable::none) {
          linked_.push_back(Linked{index, row, record_type_of<R>});
          continue;
        }
        PendingRef& p = refs_.emplace_back();
        p.hash = m.ref_hash;
        p.line = line;
        p.index = static_cast<std::uint32_t>(index);
        p.type = record_type_of<R>;
        if (trigger.size() <= PendingRef::inline_id) {
          p.length = static_cast<std::uint8_t>(trigger.size());
          copy_short(p.id.data(), trigger.data(), trigger.size());
        } else {
          p.length = PendingRef::long_id;
          const std::array<std::uint64_t, 2> at{ref_keys_.size(), trigger.size()};
          std::memcpy(p.id.data(), at.data(), sizeof at);
          ref_keys_.append(trigger);
        }
      }
    }
    s.builder.erase<R>(drop_);
    rows_[type] += n - dropped;
  }

  /// Adds one share, the next in line order, to the journal and the report.
  void merge(ShareResult& s) {
    const std::size_t base = line_no_;
    linked_.clear();
    std::size_t worst_line = std::numeric_limits<std::size_t>::max();
    std::string worst_field, worst_reason;
    auto first_error = [&](std::size_t line, std::string field, std::string reason) {
      if (line >= worst_line) return;
      worst_line = line;
      worst_field = std::move(field);
      worst_reason = std::move(reason);
    };
    merge_type<Trigger>(s, base, first_error);
    merge_type<Reading>(s, base, first_error);
    merge_type<ExerciseSession>(s, base, first_error);
    merge_type<ThoughtRecord>(s, base, first_error);
    merge_type<Assessment>(s, base, first_error);
    for (ShareError& e : s.errors) {
      const std::size_t line = base + e.line;
      if (!options_.lenient) {
        first_error(line, std::move(e.field), std::move(e.reason));
      } else if (e.fatal) {
        throw JournalFormatError(std::string(name_), line, std::move(e.field), std::move(e.reason));
      } else {
        skip(line, std::move(e.field), std::move(e.reason));
      }
    }
    if (worst_line != std::numeric_limits<std::size_t>::max()) {
      throw JournalFormatError(std::string(name_), worst_line, std::move(worst_field),
                               std::move(worst_reason));
    }
    // A column that outgrew its room moves before the append copies into it.
    if (reserved_) all_.reserve_for_append(s.builder, 1.5, scale_);
    all_.append(std::move(s.builder));
    for (const Linked& l : linked_) {
      switch (l.type) {
        case RecordType::reading: all_.link<Reading>(l.index, l.row); break;
        case RecordType::exercise: all_.link<ExerciseSession>(l.index, l.row); break;
        default: all_.link<ThoughtRecord>(l.index, l.row); break;
      }
    }
    if (s.version) report_.version = *s.version;
    seen_content_ = seen_content_ || s.content;
    line_no_ += s.lines;
  }

  void skip(std::size_t line, std::string field, std::string reason) {
    SkippedLine s;
    s.line = line;
    s.message = JournalFormatError::compose(name_, line, field, reason);
    s.field = std::move(field);
    s.reason = std::move(reason);
    skipped_.push_back(std::move(s));
  }

  /// Looks up the triggers of the pending references of range `k` of
  /// `ranges` and links each reference found; `missing` gets the others
  /// (their indices in `refs_`, ascending).
  void check_references(std::size_t k, std::size_t ranges, std::vector<std::size_t>& missing) {
    const KeyTable& triggers = ids_[static_cast<std::size_t>(RecordType::trigger)];
    const std::size_t n = refs_.size();
    // The trigger table is megabytes and each reference lands at random in
    // it: the slot of the reference `slot_ahead` on, and the key at the slot
    // of the one `key_ahead` on (whose slot is near by then), are asked for
    // while this one is looked up.
    constexpr std::size_t slot_ahead = 16, key_ahead = 8;
    const std::size_t begin = n * k / ranges, end = n * (k + 1) / ranges;
    for (std::size_t i = begin; i < std::min(end, begin + slot_ahead); ++i) triggers.prefetch(refs_[i].hash);
    for (std::size_t i = begin; i < end; ++i) {
      if (i + slot_ahead < end) triggers.prefetch(refs_[i + slot_ahead].hash);
      if (i + key_ahead < end) triggers.prefetch_key(refs_[i + key_ahead].hash);
      const PendingRef& r = refs_[i];
      const auto [participant, trigger] = pending_key(r);
      const std::size_t row = triggers.find(r.hash, participant, trigger);
      if (row == KeyTable::none) [[unlikely]] {
        missing.push_back(i);
      } else {
        // Every trigger has an id, and the key table holds those of the
        // triggers kept, in line order: the key's ordinal is the trigger's
        // row in the builder. Each reference sets its own record's link
        // (no two threads write the same element).
        switch (r.type) {
          case RecordType::reading: all_.link<Reading>(r.index, row); break;
          case RecordType::exercise: all_.link<ExerciseSession>(r.index, row); break;
          default: all_.link<ThoughtRecord>(r.index, row); break;
        }
      }
    }
  }

  /// Every `trigger` reference must name a trigger of the same participant.
  /// Strict: the lowest such line throws. Lenient: those records are dropped
  /// and reported (a reference to a skipped trigger fails here too). The
  /// lookups run in ranges on the reader's threads; the few that fail are
  /// then handled here, in order.
  void resolve_references() {
    const std::size_t n = refs_.size();
    const std::size_t parts = std::clamp<std::size_t>(n / 65536, 1, threads_);
    // Ranges of about 32 k references, each task taking the next range no
    // task has taken yet: the tasks end together, and one that starts late
    // finds fewer left. The references of each range that name no trigger.
    const std::size_t ranges = parts == 1 ? 1 : n / 32768;
    std::vector<std::vector<std::size_t>> found(ranges);
    std::atomic<std::size_t> taken{0};
    team_.run(parts, [&](std::size_t) {
      for (std::size_t k = taken.fetch_add(1, std::memory_order_relaxed); k < ranges;
           k = taken.fetch_add(1, std::memory_order_relaxed)) {
        check_references(k, ranges, found[k]);
      }
    });
    std::size_t worst_line = std::numeric_limits<std::size_t>::max();
    std::string worst_reason;
    std::array<std::vector<std::size_t>, 5> bad;  // by type: rows in the builder, ascending
    for (const auto& indices : found) {
      for (const std::size_t i : indices) {
        const PendingRef& r = refs_[i];
        const auto [participant, trigger] = pending_key(r);
        std::string reason = rules::unknown_trigger(participant, trigger);
        if (!options_.lenient) {
          if (r.line < worst_line) {
            worst_line = r.line;
            worst_reason = std::move(reason);
          }
          continue;
        }
        skip(r.line, "trigger", std::move(reason));
        bad[static_cast<std::size_t>(r.type)].push_back(r.index);
      }
    }
    if (worst_line != std::numeric_limits<std::size_t>::max()) {
      throw JournalFormatError(std::string(name_), worst_line, "trigger", std::move(worst_reason));
    }
    all_.erase<Reading>(bad[static_cast<std::size_t>(RecordType::reading)]);
    all_.erase<ExerciseSession>(bad[static_cast<std::size_t>(RecordType::exercise)]);
    all_.erase<ThoughtRecord>(bad[static_cast<std::size_t>(RecordType::thought_record)]);
  }

  /// A trigger reference of a kept record, checked once every trigger is
  /// known: 40 bytes, the trigger's id among them when it is short (as ids
  /// are); the participant is its record's, in the journal's columns. (Their
  /// memory then holds the sort's keys: see `finish`.)
  struct PendingRef {
    static constexpr std::size_t inline_id = 16;  ///< the longest id kept in `id`
    static constexpr std::uint8_t long_id = 255;  ///< `length` of an id kept in `ref_keys_`
    std::uint64_t hash = 0;                       ///< of the (participant, trigger) key
    std::size_t line = 0;
    std::uint32_t index = 0;  ///< the record's row in the builder among those of its type
    RecordType type = RecordType::reading;
    std::uint8_t length = 0;           ///< the id's, or `long_id`
    std::array<char, inline_id> id{};  ///< the id; a long one's offset and length in `ref_keys_` (two words)
  };
  static_assert(sizeof(PendingRef) == 40);

  /// The (participant, trigger) key of pending reference `r` (in the
  /// journal's columns, which hold its record: before the lenient erase).
  [[nodiscard]] std::pair<std::string_view, std::string_view> pending_key(
      const PendingRef& r) const noexcept {
    const auto& c = all_.columns().c;
    std::int32_t code = 0;
    switch (r.type) {
      case RecordType::reading: code = detail::participant_column<Reading>(c)[r.index]; break;
      case RecordType::exercise: code = detail::participant_column<ExerciseSession>(c)[r.index]; break;
      default: code = detail::participant_column<ThoughtRecord>(c)[r.index]; break;
    }
    const std::string_view participant = c.participants[static_cast<std::size_t>(code)];
    if (r.length != PendingRef::long_id) return {participant, std::string_view(r.id.data(), r.length)};
    std::array<std::uint64_t, 2> at{};
    std::memcpy(at.data(), r.id.data(), sizeof at);
    return {participant, std::string_view(ref_keys_.data() + at[0], static_cast<std::size_t>(at[1]))};
  }

  /// A trigger reference of a share found at its merge: the record's row
  /// among those of its type, and the trigger's row.
  struct Linked {
    std::size_t index = 0;
    std::size_t row = 0;
    RecordType type = RecordType::reading;
  };

  std::string_view name_;
  ReadOptions options_;
  std::size_t max_line_bytes_ = 0;
  std::size_t threads_ = 1;          // [1, 256]
  std::size_t chunk_bytes_ = 0;      // bytes per share, >= 1024
  std::vector<LineParser> parsers_;  ///< one per thread; [0] is the calling thread's
  // The shares in flight, a ring: share `seq` is in slots_[seq % size]. The
  // state of each, the queue and the counters are guarded by `mutex_`.
  std::vector<Slot> slots_;
  std::deque<Slot*> queue_;            ///< shares read and waiting for a thread, oldest first
  std::size_t next_seq_ = 0;           ///< shares read so far
  std::size_t next_merge_ = 0;         ///< shares merged so far
  bool merging_ = false;               ///< a thread merges a share
  bool reading_ = false;               ///< a thread reads a share
  bool input_done_ = false;            ///< every share is read (or the input failed)
  bool too_long_ = false;              ///< the input ended at a line longer than `max_line_bytes`
  bool stop_ = false;                  ///< the read is over: the pool's threads return
  std::exception_ptr failure_;         ///< a merge's (a bad line, in strict mode the first)
  std::exception_ptr source_failure_;  ///< the input's (a read error, max_bytes)
  std::mutex mutex_;
  std::condition_variable changed_;  ///< a share changed state, or the read ends
  std::vector<std::thread> workers_;
  Team team_;                     ///< the pool's threads once every share is merged
  std::size_t merged_bytes_ = 0;  ///< input bytes of the shares merged
  bool reserved_ = false;         ///< the journal's columns are sized for the whole input
  double scale_ = 0;  ///< shares like the one merged in the rest of the input, it included; 0: not sized yet
  ReadReport report_;
  std::size_t line_no_ = 0;
  bool seen_content_ = false;
  JournalBuilder all_{detail::linked_by_row};  ///< every record kept so far, in line order
  std::array<std::size_t, 5> rows_{};          ///< records of each type kept so far
  std::array<KeyTable, 5> ids_;                ///< ids used so far, by `RecordType`
  std::vector<PendingRef> refs_;               ///< the references kept to triggers not read before them
  std::string ref_keys_;                       ///< the ids of their triggers too long for a PendingRef
  std::vector<Linked> linked_;                 ///< scratch of merge: the references of a share found
  std::vector<std::size_t> drop_;              ///< scratch of merge_type: records of a share left out
  std::vector<SkippedLine> skipped_;
  RecordLines* lines_ = nullptr;  ///< each record's line, when asked for (strict reads)
};

/// Checks the start of the input before any line is read and returns how
/// many bytes the reader skips there: 3 for a UTF-8 byte-order mark, else 0.
/// Refuses text that is no journal at all: a compressed file, an archive, a
/// database or UTF-16/32 text would otherwise fail as "invalid JSON" at line
/// 1 with a reason about strings. `head` is the start of the input (its first
/// 16 bytes, or all of it when it is shorter).
std::size_t check_start(std::string_view name, std::string_view head) {
  struct Magic {
    std::string_view bytes;
    const char* what;
    const char* todo;
  };
  static constexpr std::array<Magic, 11> known{{
      {std::string_view("\x1f\x8b", 2), "gzip-compressed (a .gz file)", "unpack it first (gunzip)"},
      {"BZh", "bzip2-compressed (a .bz2 file)", "unpack it first (bunzip2)"},
      {std::string_view("\xfd"
                        "7zXZ\0",
                        6),
       "xz-compressed (an .xz file)", "unpack it first (unxz)"},
      {std::string_view("(\xb5/\xfd", 4), "zstd-compressed (a .zst file)", "unpack it first (unzstd)"},
      {std::string_view("7z\xbc\xaf\x27\x1c", 6), "a 7-Zip archive", "unpack it first"},
      {std::string_view("PK\x03\x04", 4), "a zip archive", "unpack it first"},
      {std::string_view("SQLite format 3\0", 16), "an SQLite database",
       "open it with calmkit.open_store (a .db journal store), not as JSON Lines"},
      {std::string_view("\0\0\xfe\xff", 4), "UTF-32 text (big-endian, with a byte-order mark)", ""},
      {std::string_view("\xff\xfe\0\0", 4), "UTF-32 text (little-endian, with a byte-order mark)", ""},
      {std::string_view("\xfe\xff", 2), "UTF-16 text (big-endian, with a byte-order mark)", ""},
      {std::string_view("\xff\xfe", 2), "UTF-16 text (little-endian, with a byte-order mark)", ""},
  }};
  const char* what = nullptr;
  const char* todo = "";
  for (const auto& m : known) {
    if (head.starts_with(m.bytes)) {
      what = m.what;
      todo = m.todo;
      break;
    }
  }
  // UTF-16 without a byte-order mark: a record's '{"' with a zero byte beside each.
  if (what == nullptr && head.starts_with(std::string_view("{\0\"\0", 4))) {
    what = "UTF-16 text (little-endian, without a byte-order mark)";
  }
  if (what == nullptr && head.starts_with(std::string_view("\0{\0\"", 4))) {
    what = "UTF-16 text (big-endian, without a byte-order mark)";
  }
  if (what == nullptr) return head.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // UTF-8 byte order mark
  const std::string advice = *todo != '\0' ? todo : "save it as UTF-8, the encoding of a journal";
  throw JournalFormatError(std::string(name), 1, "",
                           std::string("the file is ") + what + ", not JSON Lines text: " + advice);
}

/// Says that a text has simdjson's padding after it.
struct padded_t {};

/// The shares of a text in memory (`parse_journal`): slices of one padded
/// copy (or of the text itself, when it is padded), cut after the first line
/// break at or past `chunk` bytes.
class TextSource {
 public:
  TextSource(std::string_view name, std::string_view text, std::size_t chunk)
      : copy_(text.data(), text.size()), text_(copy_.data(), copy_.size()), chunk_(chunk) {
    p_ = text_.data() + check_start(name, text.substr(0, 16));
  }
  /// `text` itself, which has simdjson's padding after it (no copy).
  TextSource(std::string_view name, std::string_view text, std::size_t chunk, padded_t)
      : text_(text), chunk_(chunk) {
    p_ = text_.data() + check_start(name, text.substr(0, 16));
  }
  [[nodiscard]] std::size_t expected_bytes() const noexcept { return text_.size(); }
  Next next(Slot& s) {
    const char* const end = text_.data() + text_.size();
    if (p_ >= end) return Next::done;
    const char* q = end;
    if (static_cast<std::size_t>(end - p_) > chunk_) {
      const auto* nl = static_cast<const char*>(
          std::memchr(p_ + chunk_ - 1, '\n', static_cast<std::size_t>(end - (p_ + chunk_ - 1))));
      q = nl ? nl + 1 : end;
    }
    s.begin = p_;
    s.end = q;
    s.buffer_end = end + simdjson::SIMDJSON_PADDING;
    p_ = q;
    return Next::share;
  }

 private:
  simdjson::padded_string copy_;  ///< the text, when the caller's has no padding
  std::string_view text_;
  std::size_t chunk_;
  const char* p_ = nullptr;
};

/// The shares of a file, a pipe or a device: read `chunk` bytes at a time
/// into the share's own buffer and cut after its last line break; the
/// unfinished line starts the next share. A line longer than `chunk` makes
/// its share longer (up to `max_line_bytes`, when set). Refuses more than
/// `ReadOptions::max_bytes`. A share's buffer is sized from `chunk`, which
/// is capped by the file's size (plus a byte, to see its end in one read),
/// or by `unknown_size_chunk` for a pipe or device: a `chunk` far past the
/// input would only be allocated, never read into (2^62 bytes failed as out
/// of memory on a file of 200 KB). Shares of any size read the same records.
class FileSource {
 public:
  static constexpr std::size_t unknown_size_chunk = std::size_t{16} << 20;
  FileSource(const std::filesystem::path& path, const std::string& name, int fd, const struct stat& st,
             ReadOptions options, std::size_t chunk)
      : path_(path),
        name_(name),
        fd_(fd),
        regular_(S_ISREG(st.st_mode)),
        size_(regular_ ? static_cast<std::size_t>(st.st_size) : 0),
        options_(options),
        chunk_(std::min(chunk, regular_ ? std::max(size_ + 1, std::size_t{1024}) : unknown_size_chunk)) {}

  [[nodiscard]] std::size_t expected_bytes() const noexcept { return size_; }

  Next next(Slot& s) {
    if (too_long_) return Next::line_too_long;
    if (eof_ && carry_.empty()) return Next::done;
    std::string& buf = s.text;
    std::size_t have = carry_.size();
    buf.resize(have + chunk_ + simdjson::SIMDJSON_PADDING);
    std::memcpy(buf.data(), carry_.data(), have);
    carry_.clear();
    std::size_t cut = 0;  // after the last line break
    for (;;) {
      const std::size_t got = eof_ ? 0 : read_into(buf, have);
      eof_ = eof_ || got < chunk_;
      const std::size_t from = have;
      have += got;
      if (start_) {  // the first read: at least 16 bytes, or all there is
        skip_ = check_start(name_, std::string_view(buf.data(), std::min<std::size_t>(have, 16)));
        start_ = false;
      }
      if (eof_) {
        cut = have;
        break;
      }
      const void* nl = ::memrchr(buf.data() + from, '\n', got);
      if (nl != nullptr) {
        cut = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data()) + 1;
        break;
      }
      // No line break yet (the carried line has none): one line longer than a chunk.
      if (too_long(buf.data(), have)) return Next::line_too_long;
      buf.resize(have + chunk_ + simdjson::SIMDJSON_PADDING);
    }
    carry_.assign(buf.data() + cut, have - cut);
    if (!eof_ && too_long(carry_.data(), carry_.size())) too_long_ = true;
    s.begin = buf.data() + std::min(skip_, cut);
    skip_ = 0;
    s.end = buf.data() + cut;
    s.buffer_end = buf.data() + buf.size();
    return Next::share;
  }

 private:
  /// Whether the unfinished line `[line, line + n)` is longer than
  /// `max_line_bytes` already; a last byte over the limit that is a \r may
  /// be the start of the line's \r\n, which the limit does not count.
  [[nodiscard]] bool too_long(const char* line, std::size_t n) const noexcept {
    const std::size_t max = options_.max_line_bytes;
    return max > 0 && n > max && (n - max > 1 || line[n - 1] != '\r');
  }

  /// Reads up to `chunk_` bytes to `buf` at `at` (which has room); fewer only at the end of the input.
  std::size_t read_into(std::string& buf, std::size_t at) {
    std::size_t got = 0;
    while (got < chunk_) {
      const ssize_t n = ::read(fd_, buf.data() + at + got, chunk_ - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        detail::io_error("cannot read journal", path_, errno);
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    total_ += got;
    const auto limit = static_cast<std::uint64_t>(options_.max_bytes);
    if (limit > 0 && total_ > limit) {
      detail::input_over_limit(path_, regular_, limit);
    }
    return got;
  }

  const std::filesystem::path& path_;
  const std::string& name_;
  int fd_;
  bool regular_;
  std::size_t size_;
  ReadOptions options_;
  std::size_t chunk_;
  std::string carry_;        ///< the unfinished line after the last share
  std::uint64_t total_ = 0;  ///< bytes read so far
  bool eof_ = false;
  bool start_ = true;
  std::size_t skip_ = 0;   ///< a byte-order mark at the start of the input: its length
  bool too_long_ = false;  ///< the unfinished line is already longer than max_line_bytes
};

}  // namespace
}  // namespace detail::jsonl
// ---------------------------------------------------------------------------
// Public API

ReadResult parse_journal_with_report(std::string_view text, ReadOptions options, std::string_view name) {
  detail::jsonl::Reader reader(name, options, 0);
  detail::jsonl::TextSource source(name, text, reader.chunk_bytes());
  return reader.read(source);
}

ReadResult detail::parse_padded_journal(std::string_view text, ReadOptions options, std::string_view name,
                                        RecordLines* lines) {
  options.lenient = false;
  if (lines != nullptr) *lines = {};
  detail::jsonl::Reader reader(name, options, options.max_line_bytes);  // a file's bytes: its limit
  reader.note_lines(lines);
  detail::jsonl::TextSource source(name, text, reader.chunk_bytes(), detail::jsonl::padded_t{});
  return reader.read(source);
}

ReadResult read_journal_with_report(const std::filesystem::path& path, ReadOptions options) {
  detail::refuse_nul_in_path("cannot open journal", path);
  const std::string name = path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) detail::io_error("cannot open journal", path, errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) detail::io_error("cannot read journal", path, errno);
  if (S_ISDIR(st.st_mode)) detail::io_error("cannot read journal", path, EISDIR);
  // O_NONBLOCK only kept open() from waiting for a FIFO's writer; reads block.
  (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (S_ISFIFO(st.st_mode)) {
    // A FIFO no writer has opened yet reads as an end of file at once (and the
    // writer that opens a moment later gets EPIPE): wait for the writer as
    // `cat` does. poll() returns on data, or on the hang-up of a writer that
    // opened after this open (POLLHUP is not reported before any writer came:
    // fifo(7), pipe(7), poll(2)); then reads block as usual and the writer's
    // close is the end of file.
    pollfd ready{fd, POLLIN, 0};
    while (::poll(&ready, 1, -1) < 0) {
      if (errno != EINTR) detail::io_error("cannot read journal", path, errno);
    }
  }
  const auto limit = static_cast<std::uint64_t>(options.max_bytes);
  if (limit > 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > limit) {
    detail::file_over_limit(path, static_cast<std::uint64_t>(st.st_size), limit);
  }
#ifdef POSIX_FADV_SEQUENTIAL
  if (S_ISREG(st.st_mode)) (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  // Streamed share by share: memory holds the records kept plus the shares in
  // flight (two per thread) and the line being read, whatever the file's size
  // (a pipe or device included).
  detail::jsonl::Reader reader(name, options, options.max_line_bytes);
  detail::jsonl::FileSource source(path, name, fd, st, options, reader.chunk_bytes());
  return reader.read(source);
}

}  // namespace calmkit
