/// @file record_view.hpp
/// @brief `RecordView`: a random-access range of one record type's rows in a
/// `Journal`, materializing record values on demand. Its element access is
/// defined in journal.hpp (it needs the complete `Journal`), which this header
/// includes at its end.
#pragma once

#include <calmkit/journal_rows.hpp>

namespace calmkit {

class JournalBuilder;
class Journal;

/// A random-access range of one record type's rows in a `Journal`: what
/// `Journal::triggers()`, `triggers_of(p)`, `triggers_between(p, from, to)`
/// (and the same for every type) return.
///
/// Reading an element materializes one record *value* from the journal's
/// columns (O(size of the record)); the view holds no records itself, only the
/// journal's address and a row range [`first_row()`, `end_row()`), so it is
/// cheap to copy and is invalidated by any change to the journal (as a
/// `std::span` over a vector would be). Its iterator is a C++20
/// `std::random_access_iterator` whose reference is the value type, so
/// `std::ranges` and range-v3 algorithms and views work on it; code that reads
/// one field of many rows is faster on `Journal::columns()` over the same rows.
///
/// Example
/// ```cpp
/// auto ts = journal.triggers_of("p1");
/// for (const calmkit::Trigger& t : ts) std::cout << t.id << '\n';
/// ts.front().intensity;                 // the participant's first trigger
/// journal.columns().triggers.intensity[ts.first_row()];  // the same, no copy
/// ```
template <class R>
class RecordView {
 public:
  /// Iterates the view's rows; dereferencing yields a record value.
  class iterator {
   public:
    using iterator_concept = std::random_access_iterator_tag;  ///< C++20 category
    using iterator_category = std::input_iterator_tag;         ///< C++17 category (a value reference)
    using value_type = R;                                      ///< the record type
    using difference_type = std::ptrdiff_t;                    ///< row distance
    using reference = R;                                       ///< a materialized value
    using pointer = void;                                      ///< none: elements are values

    iterator() = default;
    /// The record at this row.
    R operator*() const;
    /// Holds the record that `->` reads fields of.
    struct arrow {
      R record;  ///< the materialized record
      /// The held record's address.
      const R* operator->() const noexcept { return &record; }
    };
    /// `it->field`: the field of the record at this row (materialized).
    arrow operator->() const { return arrow{**this}; }
    /// The record `n` rows away.
    R operator[](difference_type n) const { return *(*this + n); }
    /// Moves one row on.
    iterator& operator++() noexcept {
      ++row_;
      return *this;
    }
    /// Moves one row on, returning the old position.
    iterator operator++(int) noexcept {
      auto old = *this;
      ++row_;
      return old;
    }
    /// Moves one row back.
    iterator& operator--() noexcept {
      --row_;
      return *this;
    }
    /// Moves one row back, returning the old position.
    iterator operator--(int) noexcept {
      auto old = *this;
      --row_;
      return old;
    }
    /// Moves `n` rows.
    iterator& operator+=(difference_type n) noexcept {
      row_ = static_cast<std::size_t>(static_cast<difference_type>(row_) + n);
      return *this;
    }
    /// Moves `-n` rows.
    iterator& operator-=(difference_type n) noexcept { return *this += -n; }
    /// `it` moved `n` rows.
    friend iterator operator+(iterator it, difference_type n) noexcept { return it += n; }
    /// `it` moved `n` rows.
    friend iterator operator+(difference_type n, iterator it) noexcept { return it += n; }
    /// `it` moved `-n` rows.
    friend iterator operator-(iterator it, difference_type n) noexcept { return it -= n; }
    /// Rows between two iterators of the same view.
    friend difference_type operator-(const iterator& a, const iterator& b) noexcept {
      return static_cast<difference_type>(a.row_) - static_cast<difference_type>(b.row_);
    }
    /// Same position.
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.row_ == b.row_; }
    /// Ordered by row.
    friend std::strong_ordering operator<=>(const iterator& a, const iterator& b) noexcept {
      return a.row_ <=> b.row_;
    }
    /// The journal row this iterator stands at.
    [[nodiscard]] std::size_t row() const noexcept { return row_; }

   private:
    friend class RecordView;
    iterator(const Journal* j, std::size_t row) noexcept : j_(j), row_(row) {}
    const Journal* j_ = nullptr;
    std::size_t row_ = 0;
  };
  /// Same as `iterator`: a view is read-only.
  using const_iterator = iterator;
  /// The record type.
  using value_type = R;
  /// Row count type.
  using size_type = std::size_t;

  RecordView() = default;
  /// Rows [`first`, `end`) of journal `j`.
  RecordView(const Journal& j, std::size_t first, std::size_t end) noexcept
      : j_(&j), first_(first), end_(end) {}

  /// Number of records.
  [[nodiscard]] std::size_t size() const noexcept { return end_ - first_; }
  /// Whether there are none.
  [[nodiscard]] bool empty() const noexcept { return end_ == first_; }
  /// The `i`-th record of the view (no bounds check; `i < size()`).
  [[nodiscard]] R operator[](std::size_t i) const;
  /// The first record (the view must not be empty).
  [[nodiscard]] R front() const { return (*this)[0]; }
  /// The last record (the view must not be empty).
  [[nodiscard]] R back() const { return (*this)[size() - 1]; }
  /// First position.
  [[nodiscard]] iterator begin() const noexcept { return {j_, first_}; }
  /// One past the last position.
  [[nodiscard]] iterator end() const noexcept { return {j_, end_}; }
  /// The journal row of the view's first record: `columns()` arrays of this
  /// type are indexed by `first_row() + i`.
  [[nodiscard]] std::size_t first_row() const noexcept { return first_; }
  /// One past the journal row of the view's last record.
  [[nodiscard]] std::size_t end_row() const noexcept { return end_; }
  /// Every record of the view as a vector (a copy).
  [[nodiscard]] std::vector<R> to_vector() const { return std::vector<R>(begin(), end()); }

 private:
  const Journal* j_ = nullptr;
  std::size_t first_ = 0;
  std::size_t end_ = 0;
};
}  // namespace calmkit

#if defined(__cpp_lib_ranges)
/// A `RecordView` refers to its journal's rows: its iterators outlive it, and
/// copying it is O(1), so it is a borrowed range and a view.
template <class R>
inline constexpr bool std::ranges::enable_borrowed_range<calmkit::RecordView<R>> = true;
/// A `RecordView` is a view (cheap to copy, refers to rows it does not own).
template <class R>
inline constexpr bool std::ranges::enable_view<calmkit::RecordView<R>> = true;
#endif

#include <calmkit/journal.hpp>
