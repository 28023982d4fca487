#include "test_paths.hpp"

namespace calmkit::test {

const char* const data_dir = CALMKIT_TEST_DATA_DIR;
const char* const sample_journal = CALMKIT_SAMPLE_JOURNAL;
const char* const store_crash_writer = CALMKIT_STORE_CRASH_WRITER;

}  // namespace calmkit::test
