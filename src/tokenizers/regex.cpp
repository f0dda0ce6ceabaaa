#include "regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <oniguruma.h>
#include <pcre2.h>

#include <mutex>
#include <new>

#include "json_fields.hpp"
#include "pcre2_pattern.hpp"

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

enum class Search { found, none, failed };

// The onig crate's find_iter: non-overlapping matches left to right, where an empty match right at
// the end of the previous match is skipped by stepping over one character. `search(from, match)`
// finds the first match starting at or after byte `from`.
template <class SearchFrom>
bool collect_matches(std::string_view text, SearchFrom search, std::vector<ByteRange>& matches) {
  size_t search_from = 0;
  std::optional<size_t> last_match_end;
  ByteRange match;
  while (search_from <= text.size()) {
    const Search found = search(search_from, match);
    if (found == Search::failed) return false;
    if (found == Search::none) break;
    if (match.first == match.second && last_match_end == match.second) {
      size_t step = 1;
      while (search_from + step < text.size() && (static_cast<unsigned char>(text[search_from + step]) & 0xC0) == 0x80)
        ++step;
      search_from += step;
      continue;
    }
    matches.push_back(match);
    search_from = match.second;
    last_match_end = match.second;
  }
  return true;
}

// Per-thread PCRE2 match state: match data for the whole match only (a pattern's groups are not
// needed; PCRE2 still reports the match's bounds), and a JIT stack that may grow to 1 MiB so long
// runs of nested repeats rarely fall back to Oniguruma.
class Pcre2ThreadState {
 public:
  Pcre2ThreadState()
      : match_data_(pcre2_match_data_create(1, nullptr)),
        jit_stack_(pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr)),
        context_(pcre2_match_context_create(nullptr)) {
    if (!match_data_ || !jit_stack_ || !context_) throw std::bad_alloc();
    pcre2_jit_stack_assign(context_, nullptr, jit_stack_);
  }
  ~Pcre2ThreadState() {
    pcre2_match_context_free(context_);
    pcre2_jit_stack_free(jit_stack_);
    pcre2_match_data_free(match_data_);
  }
  Pcre2ThreadState(const Pcre2ThreadState&) = delete;
  Pcre2ThreadState& operator=(const Pcre2ThreadState&) = delete;

  static Pcre2ThreadState& get() {
    thread_local Pcre2ThreadState state;
    return state;
  }

  pcre2_match_data* match_data() const { return match_data_; }
  pcre2_match_context* context() const { return context_; }

 private:
  pcre2_match_data* match_data_;
  pcre2_jit_stack* jit_stack_;
  pcre2_match_context* context_;
};

}  // namespace

struct Regex::Compiled {
  OnigRegex regex = nullptr;
  ~Compiled() {
    if (regex) onig_free(regex);
  }
};

struct Regex::Pcre2Code {
  pcre2_code* code = nullptr;
  ~Pcre2Code() { pcre2_code_free(code); }
};

Regex::Regex(std::string_view pattern, const std::string& where, RegexEngine engine)
    : compiled_(std::make_unique<Compiled>()) {
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
  if (engine == RegexEngine::oniguruma) return;
  const std::optional<std::string> equivalent = pcre2_equivalent(pattern);
  if (!equivalent) return;
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(equivalent->data()), equivalent->size(),
                                   PCRE2_UTF | PCRE2_UCP, &error, &error_offset, nullptr);
  if (!code) return;  // Oniguruma took it, so it is matched there
  pcre2_ = std::make_unique<Pcre2Code>();
  pcre2_->code = code;
  if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) != 0) pcre2_.reset();  // the interpreter is no faster than Oniguruma
}

Regex::~Regex() = default;

bool Regex::uses_pcre2() const { return pcre2_ != nullptr; }

std::optional<std::vector<ByteRange>> Regex::find_all_pcre2(std::string_view text) const {
  Pcre2ThreadState& state = Pcre2ThreadState::get();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  uint32_t options = 0;  // the first search checks the UTF-8 of the whole text, later ones need not
  std::vector<ByteRange> matches;
  const bool complete = collect_matches(
      text,
      [&](size_t from, ByteRange& match) {
        const int found =
            pcre2_match(pcre2_->code, subject, text.size(), from, options, state.match_data(), state.context());
        options = PCRE2_NO_UTF_CHECK;
        if (found == PCRE2_ERROR_NOMATCH) return Search::none;
        if (found < 0) return Search::failed;  // invalid UTF-8, JIT stack or match limit: Oniguruma decides
        const PCRE2_SIZE* bounds = pcre2_get_ovector_pointer(state.match_data());
        match = {bounds[0], bounds[1]};
        return Search::found;
      },
      matches);
  if (!complete) return std::nullopt;
  return matches;
}

std::vector<ByteRange> Regex::find_all(std::string_view text) const {
  if (pcre2_)
    if (std::optional<std::vector<ByteRange>> matches = find_all_pcre2(text)) return std::move(*matches);
  std::vector<ByteRange> matches;
  std::unique_ptr<OnigRegion, RegionDeleter> region(onig_region_new());
  const auto* begin = reinterpret_cast<const OnigUChar*>(text.data());
  const auto* end = begin + text.size();
  collect_matches(
      text,
      [&](size_t from, ByteRange& match) {
        if (onig_search(compiled_->regex, begin, end, begin + from, end, region.get(), ONIG_OPTION_NONE) < 0)
          return Search::none;
        match = {static_cast<size_t>(region->beg[0]), static_cast<size_t>(region->end[0])};
        return Search::found;
      },
      matches);
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
