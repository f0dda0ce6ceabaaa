// WordPiece decoder: glue "##" continuations, put spaces between words, optionally clean up.
#include "decoder.hpp"

namespace transformers::tokenizers::detail {

namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

class WordPieceDecoder final : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}

  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& token = tokens[i];
      if (i > 0) {
        if (token.starts_with(prefix_))
          token.erase(0, prefix_.size());
        else
          token.insert(0, " ");
      }
      if (cleanup_) clean_up_wordpiece(token);
    }
    return tokens;
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

}  // namespace

void clean_up_wordpiece(std::string& text) {
  // HF's replacements, in HF's order.
  static const std::pair<std::string_view, std::string_view> rules[] = {
      {" .", "."},   {" ?", "?"},           {" !", "!"},   {" ,", ","},     {" ' ", "'"},   {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : rules) replace_all(text, from, to);
}

std::unique_ptr<Decoder> make_wordpiece_decoder(const json& config, const std::string& where) {
  return std::make_unique<WordPieceDecoder>(string_field(config, "prefix", "##", where),
                                            bool_field(config, "cleanup", true, where));
}

}  // namespace transformers::tokenizers::detail
