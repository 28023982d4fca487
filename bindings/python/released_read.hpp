/// @file released_read.hpp
/// @brief Reading a journal's columns with the GIL released, safely against
/// `Journal.add` on another Python thread.
///
/// Metrics, writers and exports release the GIL while they read a journal, so
/// that other Python threads (a web server's, a UI's) run meanwhile. Such a
/// thread may call `Journal.add` on the same journal: the add inserts rows
/// and may reallocate every column under the reader, which then reads freed
/// memory (a crash, "double free or corruption", or wrong numbers). So a read
/// without the GIL registers the columns it reads (`ReleasedRead`, while the
/// GIL is still held), and `wait_for_readers` -- called by every binding that
/// changes a journal, with the GIL held -- waits, the GIL released, until no
/// such read of that journal is running. Registration and the check both
/// happen with the GIL held, so no read can start between the check and the
/// change. A registered read runs no Python code, so it never waits for a
/// change: no deadlock.
#pragma once

#include <calmkit/columns.hpp>

#include <pybind11/pybind11.h>

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <unordered_map>

namespace calmkit::bindings {

namespace detail_read {
/// Running reads per columns address (a journal's columns keep their address
/// for the journal's life).
struct Registry {
  std::mutex mutex;
  std::condition_variable done;
  std::unordered_map<const void*, std::size_t> running;
  std::unordered_map<const void*, std::size_t> writers;  ///< changes waiting for the reads to end
};
inline Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: reads may end during interpreter shutdown
  return *r;
}
/// Counts one read of `key` for its lifetime.
class Registration {
 public:
  explicit Registration(const void* key) : key_(key) {
    if (key_ == nullptr) return;
    auto& r = registry();
    std::unique_lock lock(r.mutex);
    if (r.writers.contains(key_)) {
      // A change is waiting for the running reads: let it go first, or a
      // thread that reads in a loop would hold it off for ever. It needs the
      // GIL, so wait with the GIL released; register once it is back.
      lock.unlock();
      {
        const py::gil_scoped_release release;
        std::unique_lock wait(r.mutex);
        r.done.wait(wait, [&r, this] { return !r.writers.contains(key_); });
      }
      lock.lock();
    }
    ++r.running[key_];
  }
  ~Registration() {
    if (key_ == nullptr) return;
    auto& r = registry();
    {
      const std::lock_guard lock(r.mutex);
      const auto it = r.running.find(key_);
      if (--it->second == 0) r.running.erase(it);
    }
    r.done.notify_all();
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  Registration(Registration&&) = delete;
  Registration& operator=(Registration&&) = delete;

 private:
  const void* key_;
};
}  // namespace detail_read

/// Registers `columns` as being read for the scope, without releasing the GIL
/// itself: for code that releases it on its own (the store's `with`), which
/// must construct this first, while the GIL is held.
class ColumnsRead {
 public:
  explicit ColumnsRead(const Cohort& columns) : registration_(&columns) {}

 private:
  detail_read::Registration registration_;
};

/// Releases the GIL for the scope, with `columns` (a journal's, or a Cohort's)
/// registered as being read: `Journal.add` on that journal waits until the
/// scope ends. Construct it with the GIL held, in place of a
/// `py::gil_scoped_release`.
class ReleasedRead {
 public:
  explicit ReleasedRead(const Cohort& columns) : registration_(&columns) {}
  /// As above; `nullptr` when the scope reads no columns (only releases the GIL).
  explicit ReleasedRead(const Cohort* columns) : registration_(columns) {}

 private:
  detail_read::Registration registration_;  // first in, last out: counted until the GIL is back
  py::gil_scoped_release release_;
};

/// Waits (the GIL released meanwhile) until no `ReleasedRead` of `columns` is
/// running. Call with the GIL held, right before changing the journal that
/// owns `columns`, and change it before releasing the GIL again.
inline void wait_for_readers(const Cohort& columns) {
  auto& r = detail_read::registry();
  const void* key = &columns;
  const auto idle = [&r, key] { return !r.running.contains(key); };
  {
    const std::lock_guard lock(r.mutex);
    if (idle()) return;  // the GIL is held: no read can start before the change
    ++r.writers[key];    // reads that start from now on wait for this change
  }
  for (;;) {
    {
      const py::gil_scoped_release release;
      std::unique_lock lock(r.mutex);
      r.done.wait(lock, idle);
    }
    const std::lock_guard lock(r.mutex);
    if (idle()) {
      // The GIL is held again and no read runs: the caller changes the
      // journal before any waiting read can take the GIL and register.
      const auto it = r.writers.find(key);
      if (--it->second == 0) r.writers.erase(it);
      break;
    }
  }
  r.done.notify_all();
}

}  // namespace calmkit::bindings
