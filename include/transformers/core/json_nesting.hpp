#pragma once
// A bound on how deeply JSON from outside the program may nest. nlohmann::json parses deep
// documents without recursion, but copying, printing and comparing them recurse once per level, so
// a small hostile file ("[[[[..." a million deep) could exhaust the stack later, far from where it
// was read. Every reader of outside JSON checks the text first and refuses it, naming the source.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "transformers/core/error.hpp"

namespace transformers {

// Python's json module stops near 1000 levels (its recursion limit); real files nest under 20.
inline constexpr size_t kMaxJsonNesting = 512;

// How deeply the text's arrays and objects nest (strings skipped), without parsing it.
inline size_t json_nesting_depth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Throws FileError "<source>: JSON nests N levels deep, more than the M read" when the text nests
// deeper than `max_depth`.
inline void check_json_nesting(std::string_view text, const std::string& source, size_t max_depth = kMaxJsonNesting) {
  if (const size_t depth = json_nesting_depth(text); depth > max_depth)
    throw FileError(source + ": JSON nests " + std::to_string(depth) + " levels deep, more than the " +
                    std::to_string(max_depth) + " read");
}

}  // namespace transformers
