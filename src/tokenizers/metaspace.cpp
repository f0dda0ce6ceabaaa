// Metaspace: spaces become '▁' (prepended per the scheme), and pieces start at each '▁'.
#include "metaspace.hpp"

#include "decoder.hpp"
#include "pre_tokenizer.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

MetaspaceSettings parse_metaspace(const json& config, const std::string& where) {
  MetaspaceSettings settings;
  const std::string replacement = string_field(config, "replacement", "\u2581", where);
  const std::vector<char32_t> chars = to_code_points(replacement);
  if (chars.size() != 1) throw_config_error(where, "field 'replacement' must be exactly one char");
  settings.replacement = chars[0];
  settings.replacement_text = replacement;
  settings.split = bool_field(config, "split", true, where);
  const std::optional<std::string> scheme = optional_string_field(config, "prepend_scheme", where);
  const std::optional<bool> add_prefix_space = optional_bool_field(config, "add_prefix_space", where);
  if (!scheme) {
    // Older files only say add_prefix_space.
    settings.prepend_scheme = add_prefix_space.value_or(true) ? PrependScheme::Always : PrependScheme::Never;
  } else if (*scheme == "always") {
    settings.prepend_scheme = PrependScheme::Always;
  } else if (*scheme == "first") {
    settings.prepend_scheme = PrependScheme::First;
  } else if (*scheme == "never") {
    settings.prepend_scheme = PrependScheme::Never;
  } else {
    throw_config_error(where,
                       "field 'prepend_scheme' must be \"always\", \"first\" or \"never\", found \"" + *scheme + "\"");
  }
  if (scheme && add_prefix_space && !*add_prefix_space && settings.prepend_scheme != PrependScheme::Never)
    throw_config_error(where, "add_prefix_space false conflicts with prepend_scheme \"" + *scheme + "\"");
  return settings;
}

namespace {

class MetaspacePreTokenizer final : public PreTokenizer {
 public:
  explicit MetaspacePreTokenizer(MetaspaceSettings settings) : settings_(std::move(settings)) {}

  void pre_tokenize(PreTokenizedString& text) const override {
    text.split_normalized([&](size_t, NormalizedString&& piece) {
      piece.replace(find_char_matches(piece.get(), [](char32_t c) { return c == U' '; }), settings_.replacement_text);
      const bool starts_with_replacement = piece.get().starts_with(settings_.replacement_text);
      const bool prepend = settings_.prepend_scheme == PrependScheme::Always ||
                           (settings_.prepend_scheme == PrependScheme::First && piece.original_start() == 0);
      if (prepend && !starts_with_replacement) piece.prepend(settings_.replacement_text);
      if (!settings_.split) return std::vector<NormalizedString>{std::move(piece)};
      const char32_t replacement = settings_.replacement;
      return piece.split(find_char_matches(piece.get(), [replacement](char32_t c) { return c == replacement; }),
                         SplitBehavior::MergedWithNext);
    });
  }

 private:
  MetaspaceSettings settings_;
};

class MetaspaceDecoder final : public Decoder {
 public:
  explicit MetaspaceDecoder(MetaspaceSettings settings) : settings_(std::move(settings)) {}

  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const bool drop = i == 0 && settings_.prepend_scheme != PrependScheme::Never;
      std::string decoded;
      for (char32_t c : to_code_points(tokens[i])) {
        if (c != settings_.replacement)
          append_utf8(decoded, c);
        else if (!drop)
          decoded += ' ';
      }
      tokens[i] = std::move(decoded);
    }
    return tokens;
  }

 private:
  MetaspaceSettings settings_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_metaspace_pre_tokenizer(const json& config, const std::string& where) {
  return std::make_unique<MetaspacePreTokenizer>(parse_metaspace(config, where));
}

std::unique_ptr<Decoder> make_metaspace_decoder(const json& config, const std::string& where) {
  return std::make_unique<MetaspaceDecoder>(parse_metaspace(config, where));
}

}  // namespace transformers::tokenizers::detail
