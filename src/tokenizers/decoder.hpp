#pragma once
// Decoders turn tokens back into text; decode = join(decode_chain(tokens)).
#include <memory>
#include <string>
#include <vector>

#include "json_fields.hpp"

namespace transformers::tokenizers::detail {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
};

std::unique_ptr<Decoder> make_decoder(const json& config, const std::string& where);

std::unique_ptr<Decoder> make_wordpiece_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_byte_level_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_sequence_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_metaspace_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_bpe_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_byte_fallback_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_fuse_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_strip_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_replace_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_ctc_decoder(const json& config, const std::string& where);
std::unique_ptr<Decoder> make_marian_decoder(const json& config, const std::string& where);  // marian_tokenizer.cpp

// The WordPiece decoder's cleanup (" ." -> "." and so on), shared with CTC.
void clean_up_wordpiece(std::string& text);

}  // namespace transformers::tokenizers::detail
