#pragma once
// AutoTokenizer: a model folder's (or Hub id's) tokenizer.json with the settings transformers
// reads beside it (tokenizer_config.json, special_tokens_map.json: special tokens,
// model_max_length, padding and truncation sides), called the way transformers' fast tokenizers
// are: a batch of texts or pairs with padding / truncation options, returning id tensors.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/chat_templates/template.hpp"
#include "transformers/core/tensor.hpp"
#include "transformers/hub/hub.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

namespace transformers {

namespace tokenizers {
struct LegacyTokenizer;
}

enum class PaddingStrategy { DoNotPad, Longest, MaxLength };

// transformers' __call__ arguments.
struct TokenizeOptions {
  TokenizeOptions() = default;  // not an aggregate: {"text"} must never read as options
  bool add_special_tokens = true;
  PaddingStrategy padding = PaddingStrategy::DoNotPad;
  bool truncation = false;
  std::optional<size_t> max_length;  // default: model_max_length where truncation/padding need one
  size_t stride = 0;
  std::optional<size_t> pad_to_multiple_of;
};

// One input of transformers' tokenizer(text, text_pair=...): a text and, optionally, its pair.
struct TextInput {
  std::string text;
  std::optional<std::string> text_pair;
};

struct BatchEncoding {
  std::vector<tokenizers::Encoding> encodings;
  // [batch, seq] int64, defined when every encoding has the same length (padded or not).
  Tensor input_ids, attention_mask, token_type_ids;
};

// transformers' apply_chat_template arguments (tokenize=False is apply_chat_template, tokenize=True
// is tokenize_chat).
struct ChatTemplateOptions {
  ChatTemplateOptions() = default;
  bool add_generation_prompt = false;
  // Leaves the final message open for the model to continue (transformers' trimming); not with
  // add_generation_prompt.
  bool continue_final_message = false;
  // Tool definitions (a JSON list of schemas) and documents (a list of {title, text}); null: none.
  nlohmann::ordered_json tools;
  nlohmann::ordered_json documents;
  // The name of one of the tokenizer's templates, or the text of a template; unset: the tokenizer's
  // own ("tool_use" when tools are given and the tokenizer has one, else "default").
  std::optional<std::string> chat_template;
  // Extra template variables; they win over the special tokens (bos_token, eos_token...) passed too.
  nlohmann::ordered_json variables = nlohmann::ordered_json::object();
  // tokenize_chat only: also return the mask of the tokens {% generation %} blocks wrote.
  bool return_assistant_tokens_mask = false;
  chat_templates::RenderOptions render;
};

struct ChatEncoding {
  std::string text;                      // the rendered prompt
  std::vector<int64_t> input_ids;        // encoded without adding special tokens, as transformers does
  std::vector<int64_t> assistant_masks;  // when asked: 1 for the tokens of {% generation %} blocks
};

class PreTrainedTokenizerFast {
 public:
  // tokenizer.json, else the legacy files (vocab.txt; vocab.json + merges.txt; a SentencePiece .model)
  // read as transformers 5 reads them for BertTokenizer, GPT2Tokenizer, RobertaTokenizer,
  // T5Tokenizer and LlamaTokenizer. A path to a .gguf file, or a folder / Hub id with
  // options.gguf_file, reads the vocabulary inside the GGUF file instead, with llama.cpp's meaning of
  // its keys (README.md, "Tokenizers from GGUF files", lists where that differs from transformers).
  static PreTrainedTokenizerFast from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {});

  BatchEncoding operator()(const std::vector<std::string>& texts, const TokenizeOptions& options = {}) const;
  // Pairs, as tokenizer(texts, text_pair=...) in transformers: texts[i] with text_pairs[i].
  BatchEncoding operator()(const std::vector<std::string>& texts, const std::vector<std::string>& text_pairs,
                           const TokenizeOptions& options = {}) const;
  // Each input as its own tokenizer(text, text_pair=pair) call, then padded together (what transformers'
  // pipelines do: preprocess one input at a time, collate the batch). As in transformers, an empty
  // text_pair of one text means no pair — unlike the batched call above, which encodes "" as an empty
  // second segment.
  BatchEncoding encode_each(const std::vector<TextInput>& inputs, const TokenizeOptions& options = {}) const;
  // Pre-tokenized input, as tokenizer(word_lists, is_split_into_words=True): one list of words per
  // sequence. (Not an operator() overload: {"a", "b"} would then be ambiguous.)
  BatchEncoding encode_words(const std::vector<std::vector<std::string>>& word_lists,
                             const TokenizeOptions& options = {}) const;

  // transformers' encode(text): the ids of one text, special tokens added unless asked not to.
  std::vector<int64_t> encode(const std::string& text, bool add_special_tokens = true) const;

  // transformers' decode: special tokens kept unless asked, then clean_up_tokenization (" ." -> "."
  // and the like) when `clean_up_tokenization_spaces` (default: the tokenizer_config.json setting)
  // is on and the model is not a BPE (transformers 5 never cleans up BPE output).
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = false,
                     std::optional<bool> clean_up_tokenization_spaces = std::nullopt) const;
  std::vector<std::string> batch_decode(const std::vector<std::vector<int64_t>>& batch,
                                        bool skip_special_tokens = false,
                                        std::optional<bool> clean_up_tokenization_spaces = std::nullopt) const;

  // transformers' apply_chat_template(messages, tokenize=False): the prompt for a conversation (a JSON
  // list of {"role", "content", ...} messages) through the tokenizer's chat template.
  // InvalidArgument without a template (or a name it lacks), chat_templates::TemplateError when the
  // template fails.
  std::string apply_chat_template(const nlohmann::ordered_json& messages, const ChatTemplateOptions& options = {}) const;
  // apply_chat_template(messages, tokenize=True, return_dict=True): the prompt's ids, and the
  // assistant token mask when options.return_assistant_tokens_mask.
  ChatEncoding tokenize_chat(const nlohmann::ordered_json& messages, const ChatTemplateOptions& options = {}) const;
  // The chat templates by name, parsed once when the tokenizer was loaded: tokenizer_config.json's
  // "chat_template" (a string is named "default"; a list of {name, template} keeps its names), or
  // chat_template.jinja ("default") and additional_chat_templates/NAME.jinja when present.
  const std::vector<std::pair<std::string, std::shared_ptr<const chat_templates::Template>>>& chat_templates() const {
    return chat_templates_;
  }

  // transformers' add_tokens: plain added tokens (normalized) or special ones (not normalized);
  // returns how many were new.
  size_t add_tokens(const std::vector<std::string>& tokens, bool special_tokens = false);
  // transformers' split_special_tokens (also read from tokenizer_config.json).
  void set_split_special_tokens(bool value) { tokenizer_.set_encode_special_tokens(value); }

  const tokenizers::Tokenizer& backend() const { return tokenizer_; }
  // transformers' "no limit" sentinel (int(1e30)) reads as nullopt.
  std::optional<size_t> model_max_length() const { return model_max_length_; }
  tokenizers::Side padding_side() const { return padding_side_; }
  std::optional<int64_t> pad_token_id() const { return pad_token_id_; }
  std::optional<int64_t> special_token_id(const std::string& role) const;  // "cls_token", "mask_token", ...
  // What the tokenizer returns for the model, as transformers' model_input_names: tokenizer_config.json's
  // "model_input_names", else the tokenizer class's own (BertTokenizer: input_ids, token_type_ids,
  // attention_mask; the generic PreTrainedTokenizerFast / TokenizersBackend: input_ids, attention_mask).
  const std::vector<std::string>& model_input_names() const { return model_input_names_; }
  // Whether model_input_names include token_type_ids (else BatchEncoding::token_type_ids stays undefined).
  bool returns_token_type_ids() const { return returns_token_type_ids_; }
  // The text of the default chat template (see chat_templates(); a GGUF file's is its
  // tokenizer.chat_template); nullopt when there is none.
  std::optional<std::string> chat_template_text() const {
    for (const auto& [name, parsed] : chat_templates_)
      if (name == "default") return parsed->source();
    return std::nullopt;
  }

 private:
  explicit PreTrainedTokenizerFast(tokenizers::Tokenizer tokenizer) : tokenizer_(std::move(tokenizer)) {}
  static PreTrainedTokenizerFast from_gguf(const std::string& path);
  // The settings of tokenizer_config.json and special_tokens_map.json; `legacy` is the class rebuilt
  // from legacy files (its own defaults), null for a tokenizer.json or a GGUF vocabulary.
  // `folder` holds chat_template.jinja / additional_chat_templates/ (empty for a GGUF file).
  void configure(const nlohmann::json& config, const nlohmann::json& special_map,
                 const tokenizers::LegacyTokenizer* legacy, const std::string& model_type,
                 const std::filesystem::path& folder);
  template <typename Input>
  BatchEncoding call(const std::vector<Input>& inputs, const TokenizeOptions& options) const;
  BatchEncoding batch_of(std::vector<tokenizers::Encoding> encodings) const;
  tokenizers::Tokenizer configured(const TokenizeOptions& options) const;
  chat_templates::RenderOutput render_chat(const nlohmann::ordered_json& messages,
                                           const ChatTemplateOptions& options) const;

  tokenizers::Tokenizer tokenizer_;
  std::optional<size_t> model_max_length_;
  tokenizers::Side padding_side_ = tokenizers::Side::Right;
  tokenizers::Side truncation_side_ = tokenizers::Side::Right;
  std::optional<int64_t> pad_token_id_;
  std::string pad_token_;
  std::vector<std::pair<std::string, std::string>> special_tokens_;  // role -> token text
  std::vector<std::string> model_input_names_;
  bool returns_token_type_ids_ = true;
  bool clean_up_tokenization_spaces_ = false;
  std::string source_;
  std::vector<std::pair<std::string, std::shared_ptr<const chat_templates::Template>>> chat_templates_;
  bool chat_templates_named_ = false;  // a dict of templates in transformers (else one string)
};

struct AutoTokenizer {
  static PreTrainedTokenizerFast from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {}) {
    return PreTrainedTokenizerFast::from_pretrained(path_or_id, options);
  }
};

}  // namespace transformers
