// ByteLevel pre-tokenizer: optional prefix space, GPT-2 regex split, then bytes -> printable chars.
#include <array>

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
    if (!use_regex_) {  // HF's split into the piece itself, done in place
      text.normalize([&](NormalizedString& piece) {
        if (add_prefix_space_ && !piece.get().starts_with(' ')) piece.prepend(" ");
      });
      text.drop_empty();
    } else {
      text.split_normalized([&](size_t, NormalizedString&& piece) {
        if (add_prefix_space_ && !piece.get().starts_with(' ')) piece.prepend(" ");
        return piece.split(find_regex_matches(regex_, piece.get()), SplitBehavior::Isolated);
      });
    }
    text.normalize(map_bytes_to_chars);
  }

  static void map_bytes_to_chars(NormalizedString& piece) {
    static const std::array<std::string, 256> utf8_of_byte = [] {
      std::array<std::string, 256> table;
      for (size_t byte = 0; byte < 256; ++byte) append_utf8(table[byte], byte_to_char(static_cast<uint8_t>(byte)));
      return table;
    }();
    piece.map_bytes(utf8_of_byte);
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
