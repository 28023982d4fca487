// The journal format v1 (JSON Lines): the reader (calmkit/io.hpp's
// parse_journal and read_journal; the writer is src/io_write.cpp). Its parts:
//   io_read.cpp        windows, shares and threads; the merge in line order and
//                      the checks across lines; the public functions
//   io_read_line.*     the line parser (one share of lines into records)
//   io_read_fields.hpp the field getters the line parser checks values with
//   io_read_keys.hpp   the hashed (participant, id) keys and their table
//   io_read_share.hpp  what a share's parse hands the merge
//
// The input is read in windows (ReadOptions::chunk_bytes per thread) into
// one padded buffer; a window's whole lines are cut at line starts into one
// share per thread, and each share is parsed on its own thread
// (io_read_line.cpp). The shares are then merged in line order on the
// calling thread, where the checks that need the whole file run (duplicate
// ids as records arrive, trigger references at the end, on the readers'
// threads) on the records' hashed keys alone: records, line numbers, errors
// and the lenient report do not depend on the thread count. The shares fill
// JournalBuilders (columns, no record values), appended in line order; the
// reader hands each reference's trigger row to the builder as it checks it,
// and build() sorts. A lenient read removes from the columns what the checks
// across lines leave out: a share's records with a duplicate id before the
// share is appended, the records whose trigger never came at the end.
#include "io_read_keys.hpp"
#include "io_read_line.hpp"
#include "io_read_share.hpp"

#include <calmkit/files.hpp>
#include <calmkit/io.hpp>
#include <calmkit/validate.hpp>

#include "io_error.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>
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

/// Reads a journal window by window. Each window (whole lines) is cut at line
/// starts into one share per thread; the shares are parsed at the same time
/// and then merged in line order, where the rules across lines are checked
/// (unique ids; trigger references at the end). Records, their order, line
/// numbers, errors and the lenient report are so the same for any number of
/// threads, and the same as a read of the whole input in one piece.
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
    shares_.resize(threads_);
    for (auto& s : shares_) s.builder = JournalBuilder(detail::linked_by_row);
  }

  /// Bytes to read per window: `chunk_bytes` per thread (at least 1 KiB each).
  [[nodiscard]] std::size_t window_bytes() const noexcept { return chunk_bytes_ * threads_; }

  /// Parses the whole lines of `[p, end)` (and, when `last`, the unterminated
  /// rest too); bytes up to `buffer_end` are readable. Returns where the
  /// unparsed rest starts. Called again with the text that follows, the line
  /// count carries on.
  const char* window(const char* p, const char* const end, const char* const buffer_end, bool last) {
    const char* stop = end;
    if (!last) {
      const void* nl = ::memrchr(p, '\n', static_cast<std::size_t>(end - p));
      stop = nl ? static_cast<const char*>(nl) + 1 : p;  // after the last line break
    }
    if (stop == p) return p;
    const auto len = static_cast<std::size_t>(stop - p);
    // Shares of at least 64 KiB (or one chunk, when chunks are smaller): a
    // thread for a few lines costs more than it saves.
    const std::size_t min_share = std::min<std::size_t>(std::size_t{64} << 10, chunk_bytes_);
    const std::size_t n = std::clamp<std::size_t>(len / min_share, 1, threads_);
    bounds_.assign(n + 1, stop);
    bounds_[0] = p;
    for (std::size_t i = 1; i < n; ++i) {
      const char* target = std::max(p + len / n * i, bounds_[i - 1]);
      const auto* nl =
          static_cast<const char*>(std::memchr(target, '\n', static_cast<std::size_t>(stop - target)));
      bounds_[i] = nl ? nl + 1 : stop;
    }
    const bool header_allowed = !seen_content_;
    parse_shares(n, buffer_end, header_allowed);
    for (std::size_t i = 0; i < n; ++i) {
      ShareResult& s = shares_[i];
      if (s.failure) std::rethrow_exception(s.failure);
      if (!seen_content_ && s.content && !s.header_allowed) {
        // Every share before this one was blank: its first line may be the header.
        parsers_[0].run(bounds_[i], bounds_[i + 1], buffer_end, true, options_.lenient, max_line_bytes_, s);
        if (s.failure) std::rethrow_exception(s.failure);
      }
      merge(s);
    }
    return stop;
  }

  /// The number of lines parsed so far.
  [[nodiscard]] std::size_t line_count() const noexcept { return line_no_; }

  /// Ends the read: cross-record checks and the result.
  ReadResult finish() {
    ReadReport report = std::move(report_);
    report.path = std::string(name_);
    report.lines = line_no_;
    resolve_references();
    release_indexes();
    std::sort(skipped_.begin(), skipped_.end(),
              [](const SkippedLine& a, const SkippedLine& b) { return a.line < b.line; });
    report.skipped = std::move(skipped_);
    report.records = all_.size();
    // Sorted through a key permutation, one gather per column; the links
    // resolved to trigger rows (every reference kept is known to be good).
    return ReadResult{std::move(all_).build(detail::trusted), std::move(report)};
  }

 private:
  /// Calls `fn(0)` .. `fn(n - 1)`: `fn(0)` on this thread, the others on
  /// threads of their own (or here too, when no thread can be started). The
  /// first exception, by index, is rethrown once all calls have ended.
  template <class Fn>
  static void run_parallel(std::size_t n, Fn&& fn) {
    std::vector<std::exception_ptr> failure(n);
    auto guarded = [&](std::size_t i) noexcept {
      try {
        fn(i);
      } catch (...) {
        failure[i] = std::current_exception();
      }
    };
    std::vector<std::thread> pool;
    std::size_t started = 1;
    if (n > 1) {
      try {
        pool.reserve(n - 1);
        for (; started < n; ++started) pool.emplace_back(guarded, started);
      } catch (const std::system_error&) {
        // Out of threads: the rest run here.
      } catch (const std::bad_alloc&) {
      }
    }
    guarded(0);
    for (std::size_t i = started; i < n; ++i) guarded(i);
    for (auto& t : pool) t.join();
    for (const auto& f : failure) {
      if (f) std::rethrow_exception(f);
    }
  }

  /// Parses shares 0..n-1 (between `bounds_`), share 0 on this thread.
  void parse_shares(std::size_t n, const char* buffer_end, bool header_allowed) {
    run_parallel(n, [&](std::size_t i) {
      parsers_[i].run(bounds_[i], bounds_[i + 1], buffer_end, i == 0 && header_allowed, options_.lenient,
                      max_line_bytes_, shares_[i]);
    });
  }

  /// Frees what only the checks across lines needed, before the records are
  /// sorted (the sort's own scratch memory then takes its place).
  void release_indexes() noexcept {
    ids_ = {};
    refs_ = {};
    ref_keys_ = {};
    std::vector<ShareResult>().swap(shares_);
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
    for (std::size_t j = 0; j < n; ++j) {
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
      if (m.ref != RecordMeta::none) {
        const auto [participant, trigger] = get_key(k.bytes, m.ref);
        const std::size_t index = rows_[type] + j - dropped;
        refs_.push_back(PendingRef{m.ref_hash, line, index, ref_keys_.size(), record_type_of<R>});
        put_key(ref_keys_, participant, trigger);
      }
    }
    s.builder.erase<R>(drop_);
    rows_[type] += n - dropped;
  }

  /// Adds one share, the next in line order, to the journal and the report.
  void merge(ShareResult& s) {
    const std::size_t base = line_no_;
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
    all_.append(std::move(s.builder));
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

  /// Every `trigger` reference must name a trigger of the same participant.
  /// Strict: the lowest such line throws. Lenient: those records are dropped
  /// and reported (a reference to a skipped trigger fails here too). The
  /// lookups run in ranges on the reader's threads; the few that fail are
  /// then handled here, in order.
  void resolve_references() {
    const KeyTable& triggers = ids_[static_cast<std::size_t>(RecordType::trigger)];
    const std::size_t n = refs_.size();
    const std::size_t parts = std::clamp<std::size_t>(n / 65536, 1, threads_);
    std::vector<std::vector<std::size_t>> found(parts);
    run_parallel(parts, [&](std::size_t k) {
      for (std::size_t i = n * k / parts; i < n * (k + 1) / parts; ++i) {
        const PendingRef& r = refs_[i];
        const auto [participant, trigger] = get_key(ref_keys_, r.at);
        const std::size_t row = triggers.find(r.hash, participant, trigger);
        if (row == KeyTable::none) [[unlikely]] {
          found[k].push_back(i);
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
    });
    std::size_t worst_line = std::numeric_limits<std::size_t>::max();
    std::string worst_reason;
    std::array<std::vector<std::size_t>, 5> bad;  // by type: rows in the builder, ascending
    for (const auto& indices : found) {
      for (const std::size_t i : indices) {
        const PendingRef& r = refs_[i];
        const auto [participant, trigger] = get_key(ref_keys_, r.at);
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

  /// A trigger reference of a kept record, checked once every trigger is known.
  struct PendingRef {
    std::uint64_t hash = 0;
    std::size_t line = 0;
    std::size_t index = 0;  ///< the record's row in the builder among those of its type
    std::size_t at = 0;     ///< its (participant, trigger) key in `ref_keys_`
    RecordType type = RecordType::reading;
  };

  std::string_view name_;
  ReadOptions options_;
  std::size_t max_line_bytes_ = 0;
  std::size_t threads_ = 1;      // [1, 256]
  std::size_t chunk_bytes_ = 0;  // bytes per thread and window, >= 1024
  std::vector<LineParser> parsers_;
  std::vector<ShareResult> shares_;
  std::vector<const char*> bounds_;
  ReadReport report_;
  std::size_t line_no_ = 0;
  bool seen_content_ = false;
  JournalBuilder all_{detail::linked_by_row};  ///< every record kept so far, in line order
  std::array<std::size_t, 5> rows_{};          ///< records of each type kept so far
  std::array<KeyTable, 5> ids_;                ///< ids used so far, by `RecordType`
  std::vector<PendingRef> refs_;               ///< every trigger reference kept, in merge order
  std::string ref_keys_;                       ///< their (participant, trigger) keys
  std::vector<std::size_t> drop_;              ///< scratch of merge_type: records of a share left out
  std::vector<SkippedLine> skipped_;
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

}  // namespace
}  // namespace detail::jsonl
// ---------------------------------------------------------------------------
// Public API

ReadResult parse_journal_with_report(std::string_view text, ReadOptions options, std::string_view name) {
  const simdjson::padded_string buffer(text.data(), text.size());
  detail::jsonl::Reader reader(name, options, 0);
  const char* p = buffer.data();
  const char* const end = buffer.data() + buffer.size();
  const char* const buffer_end = end + simdjson::SIMDJSON_PADDING;
  p += detail::jsonl::check_start(name, text.substr(0, 16));
  // The same windows as a file read, so memory for the parts in flight stays small.
  const std::size_t window = reader.window_bytes();
  while (p < end) {
    const char* q = end;
    if (static_cast<std::size_t>(end - p) > window) {
      const auto* nl = static_cast<const char*>(
          std::memchr(p + window - 1, '\n', static_cast<std::size_t>(end - (p + window - 1))));
      q = nl ? nl + 1 : end;
    }
    p = reader.window(p, q, buffer_end, q == end);
  }
  return reader.finish();
}

ReadResult read_journal_with_report(const std::filesystem::path& path, ReadOptions options) {
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
  const auto limit = static_cast<std::uint64_t>(options.max_bytes);
  auto too_big = [&](const std::string& what) {
    detail::io_error("cannot read journal", path, EFBIG,
                     what + " more than the limit of " + std::to_string(limit) +
                         " bytes (ReadOptions::max_bytes; max_bytes= in Python)");
  };
  if (limit > 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > limit) {
    too_big("the file holds " + std::to_string(st.st_size) + " bytes,");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  if (S_ISREG(st.st_mode)) (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif

  // Streamed in windows of `chunk_bytes` per thread: memory holds the records
  // kept plus one window and the line being read, whatever the file's size
  // (a pipe or device included).
  detail::jsonl::Reader reader(name, options, options.max_line_bytes);
  const std::size_t chunk = reader.window_bytes();  // bytes per window
  std::string buf;
  std::size_t have = 0;     // bytes in buf not parsed yet (an incomplete line)
  std::uint64_t total = 0;  // bytes read so far
  bool start = true;
  for (bool last = false; !last;) {
    buf.resize(have + chunk + simdjson::SIMDJSON_PADDING);
    std::size_t got = 0;
    while (got < chunk) {
      const ssize_t n = ::read(fd, buf.data() + have + got, chunk - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        detail::io_error("cannot read journal", path, errno);
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    last = got < chunk;
    total += got;
    if (limit > 0 && total > limit) {
      too_big(std::string("it is ") +
              (S_ISREG(st.st_mode) ? "a file that grew to" : "not a regular file and gave"));
    }
    have += got;
    const char* begin = buf.data();
    if (start && (have >= 16 || last)) {
      begin += detail::jsonl::check_start(name, std::string_view(begin, std::min<std::size_t>(have, 16)));
      start = false;
    }
    const char* rest = reader.window(begin, buf.data() + have, buf.data() + buf.size(), last);
    const auto consumed = static_cast<std::size_t>(rest - buf.data());
    std::memmove(buf.data(), rest, have - consumed);
    have -= consumed;
    if (!last && options.max_line_bytes > 0 && have > options.max_line_bytes) {
      throw JournalFormatError(name, reader.line_count() + 1, "",
                               detail::jsonl::LineParser::line_too_long(options.max_line_bytes));
    }
  }
  return reader.finish();
}

}  // namespace calmkit