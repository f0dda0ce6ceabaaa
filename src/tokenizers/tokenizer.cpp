// The public Tokenizer: encode (with truncation, post-processing, padding) and decode.
#include "transformers/tokenizers/tokenizer.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "../io/mapped_file.hpp"
#include "encoding_ops.hpp"
#include "fast_json.hpp"
#include "tokenizer_pipeline.hpp"
#include "transformers/core/error.hpp"
#include "transformers/core/json_nesting.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers {

using detail::TokenizerPipeline;

Tokenizer::Tokenizer(std::shared_ptr<const TokenizerPipeline> pipeline)
    : pipeline_(std::move(pipeline)), truncation_(pipeline_->truncation), padding_(pipeline_->padding) {}

Tokenizer Tokenizer::from_file(const std::string& path) {
  // Mapped, not read: the JSON is scanned once and needs no copy of its own.
  const transformers::detail::MappedFile file = transformers::detail::map_file_read_only(path);
  return from_json(std::string_view(reinterpret_cast<const char*>(file.bytes), file.size), path);
}

Tokenizer Tokenizer::from_json(std::string_view json_text, const std::string& source) {
  // tokenizers' JSON reader (serde_json) stops at 128 levels; the components built from the
  // document recurse as deeply as it nests, so deeper ones are refused before parsing, as there.
  check_json_nesting(json_text, source, /*max_depth=*/128);
  nlohmann::json document;
  try {
    document = detail::parse_tokenizer_document(json_text);
  } catch (const nlohmann::json::exception& error) {
    throw FileError(source + ": not valid JSON: " + error.what());
  }
  Tokenizer tokenizer = from_document(document, source);
  document = nullptr;
#ifdef __GLIBC__
  // Loading frees the text and the blobs of big vocabs; give those pages back to the system.
  if (json_text.size() > (size_t{1} << 20)) malloc_trim(0);
#endif
  return tokenizer;
}

Tokenizer Tokenizer::from_document(const nlohmann::json& document, const std::string& source) {
  return Tokenizer(detail::parse_tokenizer_json(document, source));
}

void Tokenizer::set_truncation(std::optional<TruncationParams> params) {
  if (params && params->max_length > 0 && params->stride >= params->max_length)
    throw InvalidArgument("tokenizer truncation: stride (" + std::to_string(params->stride) +
                          ") must be less than max_length (" + std::to_string(params->max_length) + ")");
  truncation_ = std::move(params);
}

Encoding Tokenizer::encode_one(std::string_view text, std::optional<std::string_view> pair,
                               bool add_special_tokens) const {
  detail::require_valid_utf8(text, "the text to encode");
  if (pair) detail::require_valid_utf8(*pair, "the pair text to encode");
  Encoding first = pipeline_->encode_sequence(text, 0, std::nullopt, encode_special_tokens_);
  std::optional<Encoding> second;
  if (pair) second = pipeline_->encode_sequence(*pair, 1, std::nullopt, encode_special_tokens_);
  return finish(std::move(first), std::move(second), add_special_tokens);
}

Encoding Tokenizer::finish(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const {
  if (truncation_) {
    TruncationParams params = *truncation_;
    const size_t added = add_special_tokens && pipeline_->post_processor
                             ? pipeline_->post_processor->added_tokens(second.has_value())
                             : 0;
    params.max_length = params.max_length > added ? params.max_length - added : 0;
    detail::truncate_pair(first, second, params);
  }
  Encoding result =
      detail::post_process(pipeline_->post_processor.get(), std::move(first), std::move(second), add_special_tokens);
  if (padding_) {
    std::vector<Encoding> one{std::move(result)};
    detail::pad_encodings(one, *padding_);
    result = std::move(one[0]);
  }
  return result;
}

Encoding Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  return encode_one(text, std::nullopt, add_special_tokens);
}

Encoding Tokenizer::encode(std::string_view text, std::string_view pair, bool add_special_tokens) const {
  return encode_one(text, pair, add_special_tokens);
}

std::vector<Encoding> Tokenizer::encode_batch(const std::vector<std::string>& texts, bool add_special_tokens) const {
  std::vector<Encoding> encodings;
  encodings.reserve(texts.size());
  for (const std::string& text : texts) encodings.push_back(encode_one(text, std::nullopt, add_special_tokens));
  if (padding_) detail::pad_encodings(encodings, *padding_);
  return encodings;
}

std::vector<Encoding> Tokenizer::encode_batch(const std::vector<std::pair<std::string, std::string>>& pairs,
                                              bool add_special_tokens) const {
  std::vector<Encoding> encodings;
  encodings.reserve(pairs.size());
  for (const auto& [text, pair] : pairs) encodings.push_back(encode_one(text, pair, add_special_tokens));
  if (padding_) detail::pad_encodings(encodings, *padding_);
  return encodings;
}

std::vector<Encoding> Tokenizer::encode_batch(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& inputs, bool add_special_tokens) const {
  std::vector<Encoding> encodings;
  encodings.reserve(inputs.size());
  for (const auto& [text, pair] : inputs) {
    encodings.push_back(pair ? encode_one(text, std::string_view(*pair), add_special_tokens)
                             : encode_one(text, std::nullopt, add_special_tokens));
  }
  if (padding_) detail::pad_encodings(encodings, *padding_);
  return encodings;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  for (int64_t id : ids) {
    std::optional<std::string> token = id_to_token(id);
    if (!token) continue;  // unknown ids are skipped, as in HF
    if (skip_special_tokens && pipeline_->added_vocabulary->is_special_token(*token)) continue;
    tokens.push_back(std::move(*token));
  }
  return decode_tokens(std::move(tokens));
}

std::string Tokenizer::decode_tokens(std::vector<std::string> tokens) const {
  if (!pipeline_->decoder) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  std::string text;
  for (const std::string& piece : pipeline_->decoder->decode_chain(std::move(tokens))) text += piece;
  return text;
}

std::optional<std::string> Tokenizer::continuing_subword_prefix() const {
  const auto& prefix = pipeline_->continuing_subword_prefix;
  return prefix && !prefix->empty() ? prefix : std::nullopt;
}

std::vector<std::string> Tokenizer::decode_batch(const std::vector<std::vector<int64_t>>& batch,
                                                 bool skip_special_tokens) const {
  std::vector<std::string> texts;
  texts.reserve(batch.size());
  for (const auto& ids : batch) texts.push_back(decode(ids, skip_special_tokens));
  return texts;
}

std::optional<int64_t> Tokenizer::token_to_id(std::string_view token) const {
  if (auto id = pipeline_->added_vocabulary->token_to_id(token)) return id;
  return pipeline_->model->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(int64_t id) const {
  if (auto token = pipeline_->added_vocabulary->id_to_token(id)) return token;
  return pipeline_->model->id_to_token(id);
}

size_t Tokenizer::vocab_size(bool with_added_tokens) const {
  size_t size = pipeline_->model->vocab_size();
  if (!with_added_tokens) return size;
  std::vector<int64_t> added_ids;  // distinct: a token added twice with other options shares its id
  for (const detail::AddedToken& token : pipeline_->added_vocabulary->tokens())
    if (!pipeline_->model->token_to_id(token.content)) added_ids.push_back(token.id);
  std::sort(added_ids.begin(), added_ids.end());
  return size + static_cast<size_t>(std::unique(added_ids.begin(), added_ids.end()) - added_ids.begin());
}

}  // namespace transformers::tokenizers
