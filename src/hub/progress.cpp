// The download progress bar (stderr, terminals only).
#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "hub_internal.hpp"

namespace transformers::hub::detail {

namespace {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f%s" : "%.1f%s", bytes, units[unit]);
  return text;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, uint64_t total, bool quiet)
    : label_(std::move(label)),
      total_(total),
      enabled_(!quiet && ::isatty(STDERR_FILENO) == 1 && !env_is_true("HF_HUB_DISABLE_PROGRESS_BARS")),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (enabled_ && !finished_ && last_draw_ != std::chrono::steady_clock::time_point()) std::fputc('\n', stderr);
}

void ProgressBar::add(uint64_t amount) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ += amount;
  draw(false);
}

void ProgressBar::set(uint64_t done) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = done;
  draw(false);
}

void ProgressBar::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  done_ = total_;
  draw(true);
  if (enabled_) std::fputc('\n', stderr);
  finished_ = true;
}

void ProgressBar::draw(bool force) {
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 24;
  const double fraction = total_ == 0 ? 1.0 : std::min(1.0, double(done_) / double(total_));
  std::string bar;
  const int full = int(fraction * kWidth);
  for (int i = 0; i < kWidth; ++i) bar += i < full ? "\u2588" : " ";
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const std::string rate = seconds > 0 ? human_bytes(double(done_) / seconds) + "/s" : "";
  std::fprintf(stderr, "\r%s %3d%% |%s| %s/%s %s\033[K", label_.c_str(), int(fraction * 100), bar.c_str(),
               human_bytes(double(done_)).c_str(), human_bytes(double(total_)).c_str(), rate.c_str());
  std::fflush(stderr);
}

}  // namespace transformers::hub::detail
