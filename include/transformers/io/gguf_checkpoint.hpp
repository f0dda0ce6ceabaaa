#pragma once
// A GGUF file read as a Hugging Face checkpoint, the way transformers' from_pretrained(gguf_file=)
// reads it (integrations/ggml.py, modeling_gguf_pytorch_utils.py): the architecture and
// hyper-parameters become a config.json, the tensors take transformers' names, quantized blocks are
// dequantized, and the layout changes llama.cpp's converter made are undone (the rotary q/k row
// permutation of llama-architecture files, Gemma's norm weights stored plus one, GPT-2's Conv1D
// weights stored transposed).
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "transformers/io/gguf.hpp"
#include "transformers/io/tensor_source.hpp"

namespace transformers::gguf {

// The architectures (general.architecture) a GGUF model may have here, each with the model_type it
// becomes: llama (mistral when general.name is "mistral", as in transformers), qwen2, qwen3, phi3, gemma, gemma2, gemma3
// (gemma3_text) and gpt2.
std::string supported_architectures();

// config.json of the model in `file`, as transformers builds it: general.architecture gives
// model_type, the architecture's keys the hyper-parameters (names as transformers maps them), the
// tokenizer's keys the bos/eos/unk/pad ids, and tie_word_embeddings is true when the file has no
// output.weight. Throws FileError naming the file and the key for an unsupported architecture or a
// missing or mistyped required key.
nlohmann::json hf_config(const File& file);

// The tensors of `file` under transformers' names for the model `config` (hf_config's result)
// describes; tensors transformers has no name for are left out.
std::shared_ptr<const TensorSource> hf_tensors(std::shared_ptr<const File> file, const nlohmann::json& config);

}  // namespace transformers::gguf
