// ByteLevel pre-tokenizer: optional prefix space, GPT-2 regex split, then bytes -> printable chars.
#include "byte_level.hpp"
#include "pre_tokenizer.hpp"
#include "regex.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

class ByteLevelPreTokenizer final : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex, const std::string& where)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex), regex_(kGpt2Pattern, where) {}

  void pre_tokenize(PreTokenizedString& text) const override {
    text.split_normalized([&](size_t, NormalizedString&& piece) {
      if (add_prefix_space_ && !piece.get().starts_with(' ')) piece.prepend(" ");
      if (!use_regex_) return std::vector<NormalizedString>{std::move(piece)};
      return piece.split(find_regex_matches(regex_, piece.get()), SplitBehavior::Isolated);
    });
    text.normalize(map_bytes_to_chars);
  }

  static void map_bytes_to_chars(NormalizedString& piece) {
    const std::string& bytes = piece.get();
    std::vector<CharChange> changes;
    changes.reserve(bytes.size());
    for (size_t at = 0, length = 0; at < bytes.size(); at += length) {
      decode_utf8(bytes, at, length);
      for (size_t i = 0; i < length; ++i)
        changes.push_back({byte_to_char(static_cast<uint8_t>(bytes[at + i])), i == 0 ? 0 : 1});
    }
    piece.transform(changes, 0);
  }

 private:
  bool add_prefix_space_;
  bool use_regex_;
  Regex regex_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_byte_level_pre_tokenizer(const json& config, const std::string& where) {
  return std::make_unique<ByteLevelPreTokenizer>(bool_field(config, "add_prefix_space", true, where),
                                                 bool_field(config, "use_regex", true, where), where);
}

}  // namespace transformers::tokenizers::detail
