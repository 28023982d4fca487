/// @file metrics/parallel.hpp
/// @brief How many threads the cohort metrics use, and the helper that splits
/// their work between threads.
///
/// The heavy metrics (checking cohort columns, episodes and time-to-calm, the
/// Kaplan–Meier summary) split a cohort into contiguous blocks of whole
/// participants and work on the blocks at once. Every block writes only its
/// own rows, so results are the same, bit for bit, for any thread count.
/// Small inputs (under 200,000 rows per thread) stay on the calling thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace calmkit::metrics {

namespace detail {
/// The thread setting: 0 means "all hardware threads".
inline std::atomic<int>& thread_setting() noexcept {
  static std::atomic<int> n{0};
  return n;
}
/// Fewest rows worth a thread of its own (below this, starting a thread costs
/// more than it saves); lowered by tests to run small inputs in blocks.
inline std::atomic<std::size_t>& min_rows_per_thread() noexcept {
  static std::atomic<std::size_t> n{200'000};
  return n;
}
}  // namespace detail

/// Sets how many threads the metrics may use: n >= 1, or 0 for every hardware
/// thread (the default). Applies to calls that start afterwards.
///
/// Example
/// ```cpp
/// calmkit::metrics::set_threads(1);  // single-threaded, e.g. inside a worker pool
/// ```
inline void set_threads(int n) noexcept {
  detail::thread_setting().store(n < 0 ? 0 : n);
}

/// The number of threads the metrics use (>= 1).
[[nodiscard]] inline int threads() noexcept {
  const int n = detail::thread_setting().load();
  if (n > 0) return n;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

namespace detail {

/// Runs `work(block)` for block = 0 .. blocks-1, block 0 on the calling thread
/// and the others on their own threads, and waits for all of them. The first
/// exception thrown by any block is rethrown here after every block ended.
template <class Work>
void run_blocks(std::size_t blocks, Work&& work) {
  if (blocks <= 1) {
    work(std::size_t{0});
    return;
  }
  std::vector<std::exception_ptr> errors(blocks);
  {
    std::vector<std::jthread> pool;
    pool.reserve(blocks - 1);
    for (std::size_t b = 1; b < blocks; ++b) {
      pool.emplace_back([&work, &errors, b] {
        try {
          work(b);
        } catch (...) {
          errors[b] = std::current_exception();
        }
      });
    }
    try {
      work(std::size_t{0});
    } catch (...) {
      errors[0] = std::current_exception();
    }
  }  // jthreads join here
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

/// How many blocks `rows` rows are worth (1 .. threads()).
[[nodiscard]] inline std::size_t block_count(std::size_t rows) noexcept {
  const auto most = static_cast<std::size_t>(threads());
  return std::clamp<std::size_t>(rows / std::max<std::size_t>(min_rows_per_thread().load(), 1), 1, most);
}

/// Splits the rows of a table sorted by participant code into `blocks`
/// contiguous ranges of about equal size that never cut a participant's rows:
/// boundary b (1 <= b < blocks) is the first row of the first participant
/// starting at or after row b * n / blocks. Returns blocks + 1 participant
/// codes `cut`: block b holds participants [cut[b], cut[b+1]).
template <class Codes>
[[nodiscard]] std::vector<std::int64_t> participant_cuts(const Codes& sorted_participant, std::size_t blocks,
                                                         std::int64_t participants) {
  std::vector<std::int64_t> cut(blocks + 1, 0);
  cut[blocks] = participants;
  const std::size_t n = sorted_participant.size();
  for (std::size_t b = 1; b < blocks; ++b) {
    const std::size_t row = b * n / blocks;
    cut[b] = row < n ? static_cast<std::int64_t>(sorted_participant[row]) : participants;
    cut[b] = std::max(cut[b], cut[b - 1]);
  }
  return cut;
}

/// The first row whose participant code is >= p in a table sorted by code.
template <class Codes>
[[nodiscard]] std::size_t first_row_of(const Codes& sorted_participant, std::int64_t p) {
  return static_cast<std::size_t>(
      std::lower_bound(sorted_participant.begin(), sorted_participant.end(), p,
                       [](auto code, std::int64_t v) { return static_cast<std::int64_t>(code) < v; }) -
      sorted_participant.begin());
}

}  // namespace detail
}  // namespace calmkit::metrics
