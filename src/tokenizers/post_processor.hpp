#pragma once
// Post-processors add special tokens and set type ids after truncation.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "json_fields.hpp"
#include "transformers/tokenizers/encoding.hpp"

namespace transformers::tokenizers::detail {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // How many special tokens process() adds (subtracted from the truncation budget).
  virtual size_t added_tokens(bool is_pair) const = 0;
  // The sequences (one, or two for a pair) -> the pieces to concatenate.
  virtual std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const = 0;
};

std::unique_ptr<PostProcessor> make_post_processor(const json& config, const std::string& where);

std::unique_ptr<PostProcessor> make_template_processing(const json& config, const std::string& where);
std::unique_ptr<PostProcessor> make_bert_processing(const json& config, const std::string& where);
std::unique_ptr<PostProcessor> make_roberta_processing(const json& config, const std::string& where);
std::unique_ptr<PostProcessor> make_byte_level_processing(const json& config, const std::string& where);
std::unique_ptr<PostProcessor> make_sequence_processing(const json& config, const std::string& where);

// Runs `processor` (or none: plain concatenation) and merges the pieces into one encoding.
Encoding post_process(const PostProcessor* processor, Encoding first, std::optional<Encoding> second,
                      bool add_special_tokens);

}  // namespace transformers::tokenizers::detail
