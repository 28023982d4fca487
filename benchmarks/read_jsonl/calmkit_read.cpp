// Reads a journal file with calmkit::read_journal_with_report N times and prints one JSON
// object: best and median wall time, throughput (MB/s, lines/s) and peak RSS.
//
//   calmkit_bench_read_jsonl FILE [RUNS=5] [THREADS=0] [CHUNK_BYTES]
//   (THREADS 0: one per hardware thread; CHUNK_BYTES: ReadOptions::chunk_bytes, its default when left out)
#include <calmkit/io.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 5) {
    std::cerr << "usage: calmkit_bench_read_jsonl FILE [RUNS] [THREADS] [CHUNK_BYTES]\n";
    return 2;
  }
  try {
    const std::string path = argv[1];
    const int runs = argc >= 3 ? std::max(1, std::stoi(argv[2])) : 5;
    calmkit::ReadOptions options;
    options.threads = argc >= 4 ? static_cast<unsigned>(std::max(0, std::stoi(argv[3]))) : 0;
    if (argc == 5) options.chunk_bytes = static_cast<std::size_t>(std::stoull(argv[4]));
    const auto bytes = static_cast<double>(std::filesystem::file_size(path));
    std::vector<double> seconds;
    std::size_t lines = 0, records = 0;
    for (int i = 0; i < runs; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto result = calmkit::read_journal_with_report(path, options);  // strict: every rule checked
      const auto t1 = std::chrono::steady_clock::now();
      seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
      lines = result.report.lines;
      records = result.report.records;
    }
    std::sort(seconds.begin(), seconds.end());
    const double best = seconds.front();
    const double median = seconds[seconds.size() / 2];
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
    std::cout << "{\"impl\":\"calmkit\",\"runs\":" << runs << ",\"threads\":" << options.threads
              << ",\"chunk_bytes\":" << options.chunk_bytes << ",\"bytes\":" << static_cast<long long>(bytes)
              << ",\"lines\":" << lines << ",\"records\":" << records << ",\"best_s\":" << best
              << ",\"median_s\":" << median << ",\"mb_per_s\":" << bytes / 1e6 / median
              << ",\"lines_per_s\":" << static_cast<double>(lines) / median
              << ",\"peak_rss_mb\":" << peak_rss_mb << "}\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "calmkit_bench_read_jsonl: " << e.what() << '\n';
    return 1;
  }
}
