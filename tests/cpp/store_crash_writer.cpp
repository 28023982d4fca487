// Helper for the store's crash test (test_store.cpp): writes `count` episodes
// to a store as fast as it can, each a trigger and `readings` readings linked
// to it in ONE transaction, and prints the trigger's id on stdout (flushed)
// only after the commit has returned. The test SIGKILLs it part-way and checks
// that every printed id is in the store, whole.
//
// Usage: store_crash_writer <db path> <count> <readings per trigger>
#include <calmkit/store.hpp>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <db path> <count> <readings per trigger>\n", argv[0]);
    return 2;
  }
  try {
    const int count = std::stoi(argv[2]);
    const int readings = std::stoi(argv[3]);
    auto store = calmkit::Store::open(argv[1]);
    // 2026-03-02T00:00:00Z; one episode a minute, readings a second apart.
    const auto start = calmkit::Instant::parse("2026-03-02T00:00:00+01:00");
    for (int i = 0; i < count; ++i) {
      const std::string id = "t" + std::to_string(i);
      const auto onset = start + std::chrono::minutes(i);
      store.transaction([&] {
        store.add(calmkit::Trigger{.participant = "crash",
                                   .id = id,
                                   .time = onset,
                                   .category = calmkit::TriggerCategory::delayed_reply,
                                   .intensity = calmkit::Intensity(i % 11),
                                   .thoughts = {"thought of " + id, "another"}});
        for (int r = 0; r < readings; ++r) {
          store.add(calmkit::Reading{.participant = "crash",
                                     .id = id + "-r" + std::to_string(r),
                                     .time = onset + std::chrono::seconds(r + 1),
                                     .intensity = calmkit::Intensity(r % 11),
                                     .trigger = id});
        }
      });
      std::printf("%s\n", id.c_str());
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_crash_writer: %s\n", e.what());
    return 1;
  }
  return 0;
}
