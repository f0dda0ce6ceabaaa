#pragma once
// What llama.cpp makes of a GGUF file's `tokenizer.ggml.pre` name for a byte-level BPE vocabulary
// ("gpt2" model): the regexes that split the text before BPE, and the flags that go with the name.
// transformers ignores the name (it splits every llama-architecture vocabulary the GPT-2 way); we
// follow llama.cpp, whose test vectors (models/ggml-vocab-*.gguf.out) are the reference.
#include <optional>
#include <string>
#include <vector>

namespace transformers::tokenizers {

struct GgufPreTokenizer {
  // Applied one after the other, each splitting every piece the previous ones left; matches and the
  // text between them both become pieces (llama.cpp's unicode_regex_split). Oniguruma syntax.
  std::vector<std::string> patterns;
  bool ignore_merges = false;      // a piece that is a whole vocabulary token is taken as it is
  std::optional<bool> add_bos;     // llama.cpp's default for the name, before tokenizer.ggml.add_bos_token
  bool bos_token_is_none = false;  // chatglm-bpe, glm4: the vocabulary's BOS id is not used
};

// nullopt for a name llama.cpp does not know (or one whose splitting is custom code there, e.g.
// kimi-k2, afmoe, superbpe). An empty name is llama.cpp's "default".
std::optional<GgufPreTokenizer> gguf_pre_tokenizer(const std::string& name);

// Every name gguf_pre_tokenizer() knows, for error messages and tests.
std::vector<std::string> known_gguf_pre_tokenizers();

}  // namespace transformers::tokenizers
