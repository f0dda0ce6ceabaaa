#include "transformers/core/logging.hpp"

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <set>

namespace transformers {

namespace {

bool warnings_silenced() {
  const char* verbosity = std::getenv("TRANSFORMERS_VERBOSITY");
  if (verbosity == nullptr) return false;
  const std::string level = verbosity;
  return level == "error" || level == "critical";
}

}  // namespace

void warn_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> printed;
  if (warnings_silenced()) return;
  std::lock_guard<std::mutex> lock(mutex);
  if (!printed.insert(message).second) return;
  std::cerr << "transformers.cpp: warning: " << message << "\n";
}

}  // namespace transformers
