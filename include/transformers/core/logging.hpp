#pragma once
// Warnings for things that work but not as the user may think (a base model loaded without its
// pooler, ...), on stderr as "transformers.cpp: warning: ...". Like transformers' logging, the
// TRANSFORMERS_VERBOSITY variable silences them ("error" or "critical"); each message is printed
// once per process.
#include <string>

namespace transformers {

void warn_once(const std::string& message);

}  // namespace transformers
