// Where the C++ tests find their files. The paths are compiled into one small
// object (test_paths.cpp) instead of every test source, so that a test
// object's compile command does not contain the checkout's absolute path and
// ccache can share it between checkouts.
#pragma once

namespace calmkit::test {

/// Absolute path of tests/data in the source tree.
extern const char* const data_dir;
/// Absolute path of examples/data/sample-journal.jsonl.
extern const char* const sample_journal;
/// Absolute path of the store_crash_writer program (built with the tests).
extern const char* const store_crash_writer;

}  // namespace calmkit::test
