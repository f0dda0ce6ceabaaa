#pragma once
// Each outside format read all the way through, as a user's program would: the fuzz targets run
// these on fuzzed bytes (expecting a result or a transformers::Error), and the malformed-corpus
// test (tests/malformed) on hostile files (expecting an Error that names the file and the problem).
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "transformers/chat_templates/template.hpp"
#include "transformers/io/gguf.hpp"
#include "transformers/io/gguf_checkpoint.hpp"
#include "transformers/io/pytorch_checkpoint.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

namespace readers {

inline void read_pytorch(const std::string& path) {
  auto source = transformers::pytorch::open_checkpoint(path);
  for (const std::string& name : source->names()) source->get(name, transformers::DType::F32).contiguous();
}

inline void read_safetensors(const std::string& path) {
  auto file = transformers::safetensors::File::open(path);
  for (const std::string& name : file->names()) file->get(name).contiguous();
}

// The tokenizer of its vocabulary, then the file's tensors, transformers' config from its metadata
// and the causal LM built on the tensors under transformers' names. `path` must end in .gguf (how the
// tokenizer loader knows the format).
inline void read_gguf(const std::string& path) {
  transformers::PreTrainedTokenizerFast::from_pretrained(path)({"Hello world, 123!"});
  auto file = transformers::gguf::File::open(path);
  for (const auto& tensor : file->tensors()) file->get(tensor.name);
  const nlohmann::json config_json = transformers::gguf::hf_config(*file);
  const auto config = transformers::PretrainedConfig::from_json(config_json, path);
  const transformers::ModelEntry& entry = transformers::find_model_entry(config, transformers::Task::CausalLM);
  transformers::nn::Weights weights(transformers::gguf::hf_tensors(file, config_json), entry.base_model_prefix);
  entry.build(config, weights);
}

inline void read_tokenizer_json(const std::string& path) {
  const auto tokenizer = transformers::tokenizers::Tokenizer::from_file(path);
  tokenizer.decode(tokenizer.encode("Hello world, 123! héllo  \t naïve 日本語").ids);
}

// A checkpoint without tensors: a model built on it reads its whole config, then stops at its first
// weight with a FileError saying "missing tensor".
class NoTensors final : public transformers::TensorSource {
 public:
  explicit NoTensors(std::string path) : path_(std::move(path)) {}
  const std::string& path() const override { return path_; }
  std::vector<std::string> names() const override { return {}; }
  bool contains(const std::string&) const override { return false; }
  transformers::Tensor get(const std::string& name, transformers::DType) const override {
    throw transformers::FileError(path_ + ": no tensor " + name);
  }
  std::optional<transformers::DType> stored_dtype(const std::string&) const override { return std::nullopt; }

 private:
  std::string path_;
};

// config.json as PretrainedConfig, then as the typed config of every model class registered for its
// model_type (an unknown one refused as AutoModel refuses it); the first error is thrown.
inline void read_config(const std::string& path) {
  const auto config = transformers::PretrainedConfig::from_pretrained(path);
  bool known = false;
  for (const transformers::ModelEntry& entry : transformers::model_registry()) {
    if (entry.model_type != config.model_type) continue;
    known = true;
    transformers::nn::Weights weights(std::make_shared<NoTensors>(path), entry.base_model_prefix);
    entry.build(config, weights);
  }
  if (!known) transformers::find_model_entry(config, transformers::Task::Base);  // throws, naming what is supported
}

inline const nlohmann::ordered_json& default_messages() {
  static const auto messages = nlohmann::ordered_json::parse(R"([{"role": "system", "content": "Be brief."},
      {"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello."}])");
  return messages;
}

inline std::string render_chat_template(const std::string& source, const std::string& name,
                                        const nlohmann::ordered_json& messages = default_messages(),
                                        const transformers::chat_templates::RenderOptions& options = {}) {
  const nlohmann::ordered_json context = {
      {"messages", messages}, {"bos_token", "<s>"}, {"eos_token", "</s>"}, {"add_generation_prompt", true}};
  return transformers::chat_templates::Template(source, name).render(context, options);
}

}  // namespace readers
