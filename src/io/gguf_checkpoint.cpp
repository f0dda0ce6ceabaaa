// A GGUF file as a Hugging Face checkpoint: its config.json and its tensors under transformers'
// names (see transformers/io/gguf_checkpoint.hpp).
#include "transformers/io/gguf_checkpoint.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "transformers/core/error.hpp"

namespace transformers::gguf {

namespace {

using nlohmann::json;
using KeyMap = std::vector<std::pair<std::string, std::string>>;  // GGUF key (after "ARCH.") -> config field

// What transformers' GGUF_CONFIG_MAPPING reads for each architecture.
const KeyMap& key_map(const std::string& architecture) {
  static const KeyMap common{{"context_length", "max_position_embeddings"},
                             {"block_count", "num_hidden_layers"},
                             {"feed_forward_length", "intermediate_size"},
                             {"embedding_length", "hidden_size"},
                             {"rope.freq_base", "rope_theta"},
                             {"attention.head_count", "num_attention_heads"},
                             {"attention.head_count_kv", "num_key_value_heads"},
                             {"attention.layer_norm_rms_epsilon", "rms_norm_eps"},
                             {"vocab_size", "vocab_size"}};
  static const KeyMap llama = [] {
    KeyMap map = common;
    map.emplace_back("rope.dimension_count", "head_dim");
    return map;
  }();
  static const KeyMap gemma = [] {
    KeyMap map = common;
    map.emplace_back("attention.key_length", "head_dim");
    map.emplace_back("attention.sliding_window", "sliding_window");
    return map;
  }();
  static const KeyMap gpt2{{"block_count", "n_layer"},
                           {"context_length", "n_ctx"},
                           {"embedding_length", "n_embd"},
                           {"attention.head_count", "n_head"},
                           {"attention.layer_norm_epsilon", "layer_norm_epsilon"}};
  if (architecture == "llama") return llama;
  if (architecture == "gemma" || architecture == "gemma2" || architecture == "gemma3") return gemma;
  if (architecture == "gpt2") return gpt2;
  return common;  // qwen2, qwen3, phi3
}

// general.architecture -> model_type.
const std::map<std::string, std::string>& model_types() {
  static const std::map<std::string, std::string> types{
      {"llama", "llama"}, {"qwen2", "qwen2"},   {"qwen3", "qwen3"},        {"phi3", "phi3"},
      {"gemma", "gemma"}, {"gemma2", "gemma2"}, {"gemma3", "gemma3_text"}, {"gpt2", "gpt2"}};
  return types;
}

bool is_gemma(const std::string& model_type) {
  return model_type == "gemma" || model_type == "gemma2" || model_type == "gemma3_text";
}

std::string architecture_of(const File& file) {
  const json& value = file.value("general.architecture");
  if (!value.is_string()) throw FileError(file.path() + ": GGUF key 'general.architecture' is missing or not a string");
  return value.get<std::string>();
}

}  // namespace

std::string supported_architectures() {
  std::string names;
  for (const auto& [architecture, model_type] : model_types())
    names += (names.empty() ? "" : ", ") + architecture + (architecture == model_type ? "" : " (" + model_type + ")");
  return names;
}

json hf_config(const File& file) {
  const std::string architecture = architecture_of(file);
  const auto type = model_types().find(architecture);
  if (type == model_types().end())
    throw FileError(file.path() + ": GGUF architecture '" + architecture +
                    "' is not supported by transformers.cpp; supported: " + supported_architectures());
  json config = json::object();
  config["model_type"] = type->second;
  // llama.cpp files Mistral models under "llama"; transformers 5.23 reads one as Mistral only when
  // general.name is exactly "mistral" (it tests membership in the list of the key's values).
  const json& name = file.value("general.name");
  if (name.is_string()) {
    config["_model_name_or_path"] = name;
    if (architecture == "llama" && name.get<std::string>() == "mistral") config["model_type"] = "mistral";
  }
  for (const auto& [key, field] : key_map(architecture)) {
    const json& value = file.value(architecture + "." + key);
    if (value.is_null()) continue;
    if (!value.is_number())
      throw FileError(file.path() + ": GGUF key '" + architecture + "." + key + "' should be a number, found " +
                      value.type_name());
    config[field] = value;
  }
  for (const auto& [key, field] : KeyMap{{"bos_token_id", "bos_token_id"},
                                         {"eos_token_id", "eos_token_id"},
                                         {"unknown_token_id", "unk_token_id"},
                                         {"padding_token_id", "pad_token_id"}})
    if (const json& value = file.value("tokenizer.ggml." + key); value.is_number_integer()) config[field] = value;
  bool has_output = false;
  for (const TensorInfo& tensor : file.tensors()) has_output = has_output || tensor.name == "output.weight";
  config["tie_word_embeddings"] = !has_output;
  if (!config.contains("vocab_size"))  // transformers takes the vocabulary's size
    if (const auto tokens = file.array_length("tokenizer.ggml.tokens")) config["vocab_size"] = *tokens;
  return config;
}

namespace {

// What to do to a GGUF tensor to get transformers' tensor.
enum class Fix {
  None,
  UnpermuteQuery,  // llama.cpp interleaves each rotary head's halves for llama-architecture q/k
  UnpermuteKey,
  MinusOne,   // Gemma's norms are stored as 1 + weight
  Transpose,  // GPT-2's Conv1D weights are stored as Linear ones
};

struct Entry {
  std::string gguf_name;
  Fix fix = Fix::None;
};

// The transformers name of a per-layer GGUF tensor "blk.N.<part>.<weight|bias>" of `model_type`.
std::optional<std::string> layer_tensor_name(const std::string& model_type, const std::string& part) {
  if (model_type == "gpt2") {
    static const std::map<std::string, std::string> gpt2{{"attn_norm", "ln_1"},          {"attn_qkv", "attn.c_attn"},
                                                         {"attn_output", "attn.c_proj"}, {"ffn_norm", "ln_2"},
                                                         {"ffn_up", "mlp.c_fc"},         {"ffn_down", "mlp.c_proj"}};
    const auto it = gpt2.find(part);
    return it == gpt2.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  static const std::map<std::string, std::string> decoder{{"attn_norm", "input_layernorm"},
                                                          {"attn_q", "self_attn.q_proj"},
                                                          {"attn_k", "self_attn.k_proj"},
                                                          {"attn_v", "self_attn.v_proj"},
                                                          {"attn_output", "self_attn.o_proj"},
                                                          {"attn_qkv", "self_attn.qkv_proj"},
                                                          {"attn_q_norm", "self_attn.q_norm"},
                                                          {"attn_k_norm", "self_attn.k_norm"},
                                                          {"ffn_gate", "mlp.gate_proj"},
                                                          {"ffn_down", "mlp.down_proj"},
                                                          {"post_ffw_norm", "post_feedforward_layernorm"}};
  const bool gemma_norms = model_type == "gemma2" || model_type == "gemma3_text";
  if (part == "ffn_norm") return gemma_norms ? "pre_feedforward_layernorm" : "post_attention_layernorm";
  if (part == "post_attention_norm") return "post_attention_layernorm";
  if (part == "ffn_up") return model_type == "phi3" ? "mlp.gate_up_proj" : "mlp.up_proj";  // Phi-3's is fused
  const auto it = decoder.find(part);
  return it == decoder.end() ? std::nullopt : std::optional<std::string>(it->second);
}

// The transformers name of GGUF tensor `name`, nullopt when transformers has none.
std::optional<std::string> transformers_name(const std::string& model_type, const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string stem = name.substr(0, dot), suffix = name.substr(dot);  // ".weight" / ".bias"
  const bool gpt2 = model_type == "gpt2";
  const std::string base = gpt2 ? "transformer." : "model.";
  if (stem == "token_embd") return base + (gpt2 ? "wte" : "embed_tokens") + suffix;
  if (stem == "position_embd" && gpt2) return base + "wpe" + suffix;
  if (stem == "output_norm") return base + (gpt2 ? "ln_f" : "norm") + suffix;
  if (stem == "output") return "lm_head" + suffix;
  if (stem.rfind("blk.", 0) != 0) return std::nullopt;
  const size_t layer_end = stem.find('.', 4);
  if (layer_end == std::string::npos) return std::nullopt;
  const std::string layer = stem.substr(4, layer_end - 4);
  if (layer.empty() || layer.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const std::optional<std::string> part = layer_tensor_name(model_type, stem.substr(layer_end + 1));
  if (!part) return std::nullopt;
  return base + (gpt2 ? "h." : "layers.") + layer + "." + *part + suffix;
}

Fix fix_for(const std::string& architecture, const std::string& model_type, const std::string& gguf_name) {
  const auto ends_with = [&](const char* tail) {
    const size_t n = std::strlen(tail);
    return gguf_name.size() >= n && gguf_name.compare(gguf_name.size() - n, n, tail) == 0;
  };
  if (architecture == "llama" && ends_with(".attn_q.weight")) return Fix::UnpermuteQuery;
  if (architecture == "llama" && ends_with(".attn_k.weight")) return Fix::UnpermuteKey;
  if (is_gemma(model_type) && ends_with("norm.weight")) return Fix::MinusOne;
  if (model_type == "gpt2" && (ends_with("attn_qkv.weight") || ends_with("attn_output.weight") ||
                               ends_with("ffn_up.weight") || ends_with("ffn_down.weight")))
    return Fix::Transpose;
  return Fix::None;
}

// Undoes llama.cpp's permute(): within each of `heads` row blocks, rows were reordered from
// [2, half] (transformers' rotate_half layout) to [half, 2] (interleaved pairs). Whole rows move, so
// a tensor of quantized blocks is reordered as well as a float one.
Tensor unpermute_rows(const Tensor& weight, int64_t heads, const std::string& where) {
  const int64_t rows = weight.shape()[0];
  const int64_t row_bytes = rows == 0 ? 0 : weight.numel() / rows * static_cast<int64_t>(dtype_size(weight.dtype()));
  if (heads <= 0 || rows % (2 * heads) != 0)
    throw FileError(where + ": " + std::to_string(rows) + " rows can't be split into " + std::to_string(heads) +
                    " rotary heads of an even size");
  const int64_t half = rows / heads / 2;
  Tensor out = Tensor::empty(weight.shape(), weight.dtype());
  const auto* from = static_cast<const char*>(weight.data_ptr());
  auto* to = static_cast<char*>(out.data_ptr());
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t j = 0; j < half; ++j)
      for (int64_t r = 0; r < 2; ++r) {
        const int64_t stored_row = (h * half + j) * 2 + r, hf_row = (h * 2 + r) * half + j;
        std::memcpy(to + hf_row * row_bytes, from + stored_row * row_bytes, static_cast<size_t>(row_bytes));
      }
  return out;
}

class GgufSource final : public TensorSource {
 public:
  GgufSource(std::shared_ptr<const File> file, const json& config) : file_(std::move(file)) {
    const std::string architecture = architecture_of(*file_);
    const std::string model_type = config.value("model_type", "");
    heads_ = config.value("num_attention_heads", int64_t{0});
    kv_heads_ = config.value("num_key_value_heads", heads_);
    for (const TensorInfo& tensor : file_->tensors())
      if (std::optional<std::string> name = transformers_name(model_type, tensor.name))
        entries_[*name] = {tensor.name, fix_for(architecture, model_type, tensor.name)};
  }

  const std::string& path() const override { return file_->path(); }
  std::vector<std::string> names() const override {
    std::vector<std::string> names;
    for (const auto& [name, entry] : entries_) names.push_back(name);
    return names;
  }
  bool contains(const std::string& name) const override { return entries_.count(name) != 0; }

  Tensor get(const std::string& name, DType decode_to) const override {
    Tensor tensor = transformed(find(name), decode_to);
    // A decoded copy no longer needs the file's pages: drop them, so that loading never holds the
    // file and the weights at once.
    if (tensor.storage()->owns_memory()) file_->release(find(name).gguf_name);
    return tensor;
  }

  std::optional<Tensor> get_blocks(const std::string& name) const override {
    const Entry& entry = find(name);
    if (!block_dtype(file_->info(entry.gguf_name).type)) return std::nullopt;
    const std::string where = path() + ": tensor '" + entry.gguf_name + "'";
    switch (entry.fix) {
      case Fix::None: return file_->blocks(entry.gguf_name);
      case Fix::UnpermuteQuery: return unpermute_rows(file_->blocks(entry.gguf_name), heads_, where);
      case Fix::UnpermuteKey: return unpermute_rows(file_->blocks(entry.gguf_name), kv_heads_, where);
      default: return std::nullopt;  // the fix changes values or columns, not whole rows
    }
  }

  void release(const std::string& name) const override { file_->release(find(name).gguf_name); }

  std::optional<DType> stored_dtype(const std::string& name) const override {
    switch (file_->info(find(name).gguf_name).type) {
      case TensorType::F32: return DType::F32;
      case TensorType::F16: return DType::F16;
      case TensorType::BF16: return DType::BF16;
      default: return std::nullopt;
    }
  }

 private:
  // The GGUF tensor of `entry` as transformers has it.
  Tensor transformed(const Entry& entry, DType decode_to) const {
    const std::string where = path() + ": tensor '" + entry.gguf_name + "'";
    switch (entry.fix) {
      case Fix::None: return file_->get(entry.gguf_name, decode_to);
      case Fix::UnpermuteQuery: return unpermute_rows(file_->get(entry.gguf_name), heads_, where);
      case Fix::UnpermuteKey: return unpermute_rows(file_->get(entry.gguf_name), kv_heads_, where);
      case Fix::MinusOne: {
        Tensor weight = file_->get(entry.gguf_name).clone();
        for (float& w : std::span<float>(weight.data<float>(), static_cast<size_t>(weight.numel()))) w -= 1.0f;
        return weight;
      }
      case Fix::Transpose: return file_->get(entry.gguf_name, decode_to).transpose(0, 1).contiguous();
    }
    return {};
  }

  const Entry& find(const std::string& name) const {
    const auto it = entries_.find(name);
    if (it == entries_.end()) throw FileError(path() + ": no GGUF tensor holds '" + name + "'");
    return it->second;
  }

  std::shared_ptr<const File> file_;
  std::map<std::string, Entry> entries_;  // transformers name -> GGUF tensor
  int64_t heads_ = 0, kv_heads_ = 0;
};

}  // namespace

std::shared_ptr<const TensorSource> hf_tensors(std::shared_ptr<const File> file, const json& config) {
  return std::make_shared<GgufSource>(std::move(file), config);
}

}  // namespace transformers::gguf
