// Maps a tokenizer.json "decoder" type tag to the class that implements it.
#include <functional>
#include <map>

#include "decoder.hpp"

namespace transformers::tokenizers::detail {

std::unique_ptr<Decoder> make_decoder(const json& config, const std::string& where) {
  using Maker = std::function<std::unique_ptr<Decoder>(const json&, const std::string&)>;
  static const std::map<std::string, Maker> makers = {
      {"WordPiece", make_wordpiece_decoder}, {"ByteLevel", make_byte_level_decoder},
      {"Sequence", make_sequence_decoder},   {"Metaspace", make_metaspace_decoder},
      {"BPEDecoder", make_bpe_decoder},      {"ByteFallback", make_byte_fallback_decoder},
      {"Fuse", make_fuse_decoder},           {"Strip", make_strip_decoder},
      {"Replace", make_replace_decoder},     {"CTC", make_ctc_decoder},
      {"MarianSentencePiece", make_marian_decoder},
  };
  const std::string type = component_type(config, where);
  const auto found = makers.find(type);
  if (found == makers.end()) throw_config_error(where, "unknown decoder type '" + type + "'");
  return found->second(config, where + " " + type);
}

}  // namespace transformers::tokenizers::detail
