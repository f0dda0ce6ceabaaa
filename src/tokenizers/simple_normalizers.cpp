// The small normalizers: Unicode forms, Lowercase, Strip, StripAccents, Replace, Prepend, Nmt,
// ByteLevel and Sequence.
#include "byte_level.hpp"
#include "normalizer.hpp"
#include "pre_tokenizer.hpp"
#include "regex.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

// A normalizer that is one function of the text.
class FunctionNormalizer final : public Normalizer {
 public:
  explicit FunctionNormalizer(std::function<void(NormalizedString&)> apply) : apply_(std::move(apply)) {}
  void normalize(NormalizedString& text) const override { apply_(text); }

 private:
  std::function<void(NormalizedString&)> apply_;
};

std::unique_ptr<Normalizer> from_function(std::function<void(NormalizedString&)> apply) {
  return std::make_unique<FunctionNormalizer>(std::move(apply));
}

void strip(NormalizedString& text, bool left, bool right) {
  const std::vector<char32_t> chars = to_code_points(text.get());
  size_t leading = 0, trailing = 0;
  if (left)
    while (leading < chars.size() && is_whitespace(chars[leading])) ++leading;
  if (right)
    while (trailing < chars.size() - leading && is_whitespace(chars[chars.size() - 1 - trailing])) ++trailing;
  if (leading == 0 && trailing == 0) return;
  size_t index = 0;
  text.filter([&](char32_t) {
    const size_t i = index++;
    return i >= leading && i < chars.size() - trailing;
  });
}

bool is_nmt_removed(char32_t c) {
  return (c >= 0x1 && c <= 0x8) || c == 0xB || (c >= 0xE && c <= 0x1F) || c == 0x7F || c == 0x8F || c == 0x9F;
}

char32_t nmt_map(char32_t c) {
  switch (c) {
    case 0x9:
    case 0xA:
    case 0xC:
    case 0xD:
    case 0x1680:
    case 0x200B:
    case 0x200C:
    case 0x200D:
    case 0x200E:
    case 0x200F:
    case 0x2028:
    case 0x2029:
    case 0x2581:
    case 0xFEFF:
    case 0xFFFD: return U' ';
    default: return c;
  }
}

void byte_level_normalize(NormalizedString& text) {
  const std::string bytes = text.get();
  std::vector<CharChange> changes;
  for (size_t at = 0, length = 0; at < bytes.size(); at += length) {
    decode_utf8(bytes, at, length);
    for (size_t i = 0; i < length; ++i)
      changes.push_back({byte_to_char(static_cast<uint8_t>(bytes[at + i])), i == 0 ? 0 : 1});
  }
  text.transform(changes, 0);
}

}  // namespace

std::unique_ptr<Normalizer> make_unicode_normalizer(const std::string& form) {
  const bool compose = form == "NFC" || form == "NFKC";
  const bool compat = form == "NFKC" || form == "NFKD";
  return from_function([=](NormalizedString& text) { text.normalize_unicode(compose, compat); });
}

std::unique_ptr<Normalizer> make_lowercase_normalizer(const json&, const std::string&) {
  return from_function([](NormalizedString& text) { text.lowercase(); });
}

std::unique_ptr<Normalizer> make_strip_normalizer(const json& config, const std::string& where) {
  const bool left = bool_field(config, "strip_left", true, where);
  const bool right = bool_field(config, "strip_right", true, where);
  return from_function([=](NormalizedString& text) { strip(text, left, right); });
}

std::unique_ptr<Normalizer> make_strip_accents_normalizer(const json&, const std::string&) {
  return from_function([](NormalizedString& text) { text.filter([](char32_t c) { return !is_mark(c); }); });
}

std::unique_ptr<Normalizer> make_replace_normalizer(const json& config, const std::string& where) {
  auto regex = std::make_shared<Regex>(parse_pattern(config, where), where);
  const std::string content = required_string_field(config, "content", where);
  return from_function(
      [regex, content](NormalizedString& text) { text.replace(find_regex_matches(*regex, text.get()), content); });
}

std::unique_ptr<Normalizer> make_prepend_normalizer(const json& config, const std::string& where) {
  const std::string prefix = required_string_field(config, "prepend", where);
  return from_function([prefix](NormalizedString& text) { text.prepend(prefix); });
}

std::unique_ptr<Normalizer> make_nmt_normalizer(const json&, const std::string&) {
  return from_function([](NormalizedString& text) {
    text.filter([](char32_t c) { return !is_nmt_removed(c); });
    text.map(nmt_map);
  });
}

std::unique_ptr<Normalizer> make_byte_level_normalizer(const json&, const std::string&) {
  return from_function(byte_level_normalize);
}

std::unique_ptr<Normalizer> make_sequence_normalizer(const json& config, const std::string& where) {
  const json& list = required_field(config, "normalizers", where);
  if (!list.is_array()) throw_config_error(where, "field 'normalizers' must be a list");
  std::vector<std::shared_ptr<Normalizer>> steps;
  for (size_t i = 0; i < list.size(); ++i)
    steps.push_back(make_normalizer(list[i], where + " normalizers[" + std::to_string(i) + "]"));
  return from_function([steps](NormalizedString& text) {
    for (const auto& step : steps) step->normalize(text);
  });
}

}  // namespace transformers::tokenizers::detail
