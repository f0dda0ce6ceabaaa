#include "regex.hpp"

#include <oniguruma.h>

#include <mutex>

#include "json_fields.hpp"

namespace transformers::tokenizers::detail {

namespace {

void initialize_oniguruma() {
  static std::once_flag once;
  std::call_once(once, [] {
    OnigEncoding encodings[] = {ONIG_ENCODING_UTF8};
    onig_initialize(encodings, 1);
  });
}

struct RegionDeleter {
  void operator()(OnigRegion* region) const { onig_region_free(region, 1); }
};

}  // namespace

struct Regex::Compiled {
  OnigRegex regex = nullptr;
  ~Compiled() {
    if (regex) onig_free(regex);
  }
};

Regex::Regex(std::string_view pattern, const std::string& where) : compiled_(std::make_unique<Compiled>()) {
  initialize_oniguruma();
  OnigErrorInfo error_info;
  const auto* begin = reinterpret_cast<const OnigUChar*>(pattern.data());
  const int status = onig_new(&compiled_->regex, begin, begin + pattern.size(), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8,
                              ONIG_SYNTAX_RUBY, &error_info);
  if (status != ONIG_NORMAL) {
    OnigUChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(message, status, &error_info);
    throw_config_error(where, "invalid regex '" + std::string(pattern) + "': " + reinterpret_cast<char*>(message));
  }
}

Regex::~Regex() = default;

std::vector<ByteRange> Regex::find_all(std::string_view text) const {
  std::vector<ByteRange> matches;
  std::unique_ptr<OnigRegion, RegionDeleter> region(onig_region_new());
  const auto* begin = reinterpret_cast<const OnigUChar*>(text.data());
  const auto* end = begin + text.size();
  size_t search_from = 0;
  std::optional<size_t> last_match_end;
  while (search_from <= text.size()) {
    const int found =
        onig_search(compiled_->regex, begin, end, begin + search_from, end, region.get(), ONIG_OPTION_NONE);
    if (found < 0) break;
    const auto start = static_cast<size_t>(region->beg[0]);
    const auto stop = static_cast<size_t>(region->end[0]);
    if (start == stop && last_match_end == stop) {
      // Step over one char so an empty match can't repeat forever.
      size_t step = 1;
      while (search_from + step < text.size() && (static_cast<unsigned char>(text[search_from + step]) & 0xC0) == 0x80)
        ++step;
      search_from += step;
      continue;
    }
    matches.emplace_back(start, stop);
    search_from = stop;
    last_match_end = stop;
  }
  return matches;
}

std::string Regex::escape(std::string_view literal) {
  static constexpr std::string_view special = "\\.+*?()|[]{}^$#&-~ ";
  std::string escaped;
  for (char c : literal) {
    if (special.find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::vector<MatchSpan> find_regex_matches(const Regex& regex, std::string_view text, bool invert) {
  std::vector<MatchSpan> spans = spans_from_matches(regex.find_all(text), text.size());
  if (invert)
    for (MatchSpan& span : spans) span.is_match = !span.is_match;
  return spans;
}

}  // namespace transformers::tokenizers::detail
