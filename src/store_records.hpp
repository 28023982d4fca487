// Private to the store (src/store*.cpp), not installed: how calmkit's
// records map to the store's rows (src/store_read.cpp, src/store_write.cpp).
// Every function runs inside the caller's transaction, except `update`,
// which opens its own.
#pragma once

#include "store_sqlite.hpp"

#include <calmkit/journal.hpp>
#include <calmkit/model.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace calmkit::detail {

/// Which records a read selects: one participant (or all) and a UTC range.
/// Both ends of the range are inclusive, so that the open range holds every
/// int64 a file can hold (an exclusive INT64_MAX would leave out a row at
/// INT64_MAX, which a load must refuse, not skip).
struct Filter {
  std::optional<std::string> participant;
  std::int64_t from_us = std::numeric_limits<std::int64_t>::min();
  std::int64_t last_us = std::numeric_limits<std::int64_t>::max();  // inclusive
  std::optional<std::string> id;  // one record by id (then the range is open)

  void bind(Query& q) const {
    if (participant) {
      q.bind(1, std::string_view(*participant));
    } else {
      q.bind_null(1);
    }
    q.bind(2, from_us);
    q.bind(3, last_us);
    if (id) {
      q.bind(4, std::string_view(*id));
    } else {
      q.bind_null(4);
    }
  }
};

/// The filter of `Store::triggers(participant, from, to)` and the like:
/// `to` is exclusive, an absent bound is open.
Filter make_filter(std::optional<std::string_view> participant, std::optional<Instant> from,
                   std::optional<Instant> to);

/// Throws the std::runtime_error of a value in the store that breaks a rule
/// (a file changed by another program): "store 'PATH' holds an invalid
/// value: " and `what`, which names the record or row and the field.
[[noreturn]] void corrupt(const Impl& impl, const std::string& what);

/// Text column `col` of a record, checked to be UTF-8. calmkit writes only
/// UTF-8 (`Store::add` refuses anything else); a store changed by another tool
/// may hold other bytes, which C++ callers could not rely on and Python could
/// not decode: such a value is an invalid value of the store, named with the
/// record and the field.
std::string text_of(const Impl& impl, const Query& q, int col, const std::string& who,
                    std::string_view field);

std::vector<Trigger> read_triggers(Impl& impl, const Filter& f);
std::vector<Reading> read_readings(Impl& impl, const Filter& f);
std::vector<ExerciseSession> read_exercises(Impl& impl, const Filter& f);
std::vector<ThoughtRecord> read_thought_records(Impl& impl, const Filter& f);
/// Each assessment's answers are checked against its registered instrument.
std::vector<Assessment> read_assessments(Impl& impl, const Filter& f);

/// The participant's key, or nullopt when they have no row yet.
std::optional<std::int64_t> find_participant(Impl& impl, std::string_view name);

/// Adds one record (the model's rules checked first; a duplicate id or a
/// missing trigger refused with the model's message).
void insert(Impl& impl, const Trigger& t);
void insert(Impl& impl, const Reading& r);
void insert(Impl& impl, const ExerciseSession& e);
void insert(Impl& impl, const ThoughtRecord& t);
void insert(Impl& impl, const Assessment& a);

/// Replaces the record with the same participant and id, lists included, in
/// a transaction of its own; std::invalid_argument when there is none.
void update(Impl& impl, const Trigger& t);
void update(Impl& impl, const Reading& r);
void update(Impl& impl, const ExerciseSession& e);
void update(Impl& impl, const ThoughtRecord& t);
void update(Impl& impl, const Assessment& a);

/// Deletes one record by participant and id; true when there was one.
bool delete_row(Impl& impl, const std::string& sql, std::string_view participant, std::string_view id);

}  // namespace calmkit::detail
