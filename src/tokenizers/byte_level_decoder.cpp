// ByteLevel decoder: printable chars back to bytes, then lossy UTF-8 (one string for all tokens).
#include "byte_level.hpp"
#include "decoder.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

class ByteLevelDecoder final : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string bytes;
    for (const std::string& token : tokens) {
      std::string token_bytes;
      bool all_mapped = true;
      for (char32_t c : to_code_points(token)) {
        const auto byte = char_to_byte(c);
        if (!byte) {
          all_mapped = false;
          break;
        }
        token_bytes += static_cast<char>(*byte);
      }
      // A token with a char outside the table contributes its own UTF-8 bytes.
      bytes += all_mapped ? token_bytes : token;
    }
    return {utf8_lossy(bytes)};
  }
};

class SequenceDecoder final : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : steps_(std::move(steps)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (const auto& step : steps_) tokens = step->decode_chain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

}  // namespace

std::unique_ptr<Decoder> make_byte_level_decoder(const json&, const std::string&) {
  return std::make_unique<ByteLevelDecoder>();
}

std::unique_ptr<Decoder> make_sequence_decoder(const json& config, const std::string& where) {
  const json& list = required_field(config, "decoders", where);
  if (!list.is_array()) throw_config_error(where, "field 'decoders' must be a list");
  std::vector<std::unique_ptr<Decoder>> steps;
  for (size_t i = 0; i < list.size(); ++i)
    steps.push_back(make_decoder(list[i], where + " decoders[" + std::to_string(i) + "]"));
  return std::make_unique<SequenceDecoder>(std::move(steps));
}

}  // namespace transformers::tokenizers::detail
