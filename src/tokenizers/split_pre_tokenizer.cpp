// Split pre-tokenizer: a string or regex pattern with a delimiter behaviour, optionally inverted.
#include "pre_tokenizer.hpp"
#include "regex.hpp"

namespace transformers::tokenizers::detail {

namespace {

class SplitPreTokenizer final : public PreTokenizer {
 public:
  SplitPreTokenizer(const std::string& pattern, SplitBehavior behavior, bool invert, const std::string& where)
      : regex_(pattern, where), behavior_(behavior), invert_(invert) {}

  void pre_tokenize(PreTokenizedString& text) const override {
    text.split_normalized([&](size_t, NormalizedString&& piece) {
      return piece.split(find_regex_matches(regex_, piece.get(), invert_), behavior_);
    });
  }

 private:
  Regex regex_;
  SplitBehavior behavior_;
  bool invert_;
};

}  // namespace

std::string parse_pattern(const json& config, const std::string& where) {
  const json& pattern = required_field(config, "pattern", where);
  if (pattern.is_object() && pattern.contains("String") && pattern["String"].is_string())
    return Regex::escape(pattern["String"].get<std::string>());
  if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string())
    return pattern["Regex"].get<std::string>();
  throw_config_error(where, "field 'pattern' must be {\"String\": ...} or {\"Regex\": ...}, found " + pattern.dump());
}

SplitBehavior parse_split_behavior(const json& config, const std::string& where, SplitBehavior fallback) {
  const std::optional<std::string> name = optional_string_field(config, "behavior", where);
  if (!name) return fallback;
  if (*name == "Removed") return SplitBehavior::Removed;
  if (*name == "Isolated") return SplitBehavior::Isolated;
  if (*name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (*name == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (*name == "Contiguous") return SplitBehavior::Contiguous;
  throw_config_error(where, "unknown split behavior '" + *name + "'");
}

std::unique_ptr<PreTokenizer> make_split_pre_tokenizer(const json& config, const std::string& where) {
  if (!config.contains("behavior")) throw_config_error(where, "missing field 'behavior'");
  return std::make_unique<SplitPreTokenizer>(parse_pattern(config, where),
                                             parse_split_behavior(config, where, SplitBehavior::Removed),
                                             bool_field(config, "invert", false, where), where);
}

}  // namespace transformers::tokenizers::detail
