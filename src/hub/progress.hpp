#pragma once
// A progress bar on stderr for downloads (not installed).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace transformers::hub::detail {

// Draws "name  42% |████      | 12.3M/29.0M 4.1MB/s" on stderr, redrawn at most ten times a second, only when
// stderr is a terminal, HF_HUB_DISABLE_PROGRESS_BARS is not true and `quiet` is false. Thread-safe: the files
// of a snapshot report into one bar.
class ProgressBar {
 public:
  ProgressBar(std::string label, uint64_t total, bool quiet);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();
  void add(uint64_t amount);
  void set(uint64_t done);
  void finish();  // draws 100% and ends the line

 private:
  void draw(bool force);

  std::string label_;
  uint64_t total_, done_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
};

}  // namespace transformers::hub::detail
