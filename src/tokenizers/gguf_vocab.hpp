#pragma once
// A tokenizer from the vocabulary inside a GGUF file (llama.cpp's tokenizer.ggml.* keys), built the
// way the legacy files are: as the tokenizer.json document and tokenizer_config.json settings that
// describe the same tokenizer, which the ordinary loader then reads, so encode and decode are shared.
//
// The meaning of each key is llama.cpp's (the file's writer), not transformers': "gpt2" is byte-level
// BPE split by the regexes tokenizer.ggml.pre names (gguf_pre_tokenizers.hpp); "llama" is
// SentencePiece BPE merged by score, with <0xNN> byte fallback and a ▁ before each stretch of text
// when add_space_prefix is on. Token types: control and unknown tokens become special added tokens,
// user-defined ones plain added tokens, all matched in the raw text as llama.cpp does.
#include <string>

#include <nlohmann/json.hpp>

namespace transformers::tokenizers {

struct GgufTokenizerFiles {
  nlohmann::json tokenizer_json;    // a tokenizer.json document
  nlohmann::json tokenizer_config;  // special tokens, add_bos_token / add_eos_token, chat_template
};

// `metadata` is gguf::File::metadata(); `source` names the file in errors. Throws FileError naming the
// key at fault for a missing or malformed vocabulary, an unsupported tokenizer.ggml.model or an
// unknown tokenizer.ggml.pre.
GgufTokenizerFiles gguf_tokenizer_files(const nlohmann::json& metadata, const std::string& source);

}  // namespace transformers::tokenizers
