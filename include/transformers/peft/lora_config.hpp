#pragma once
// PEFT adapters: what lives in peft/ is reading the folders PEFT's save_pretrained writes
// (adapter_config.json + adapter_model.safetensors) and attaching them to a loaded model's linear
// layers (nn/adapters.hpp), the way transformers' load_adapter / PEFT's PeftModel do: LoRA on any
// linear layer of every family, several adapters loaded at once with one active, merged into the
// weights or not. This header is the adapter's configuration.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace transformers::peft {

// adapter_config.json of a LoRA adapter (peft_type "LORA"). Fields inference never reads
// (lora_dropout, init_lora_weights, inference_mode, ...) are accepted and ignored; options that
// change the computation and are not built (DoRA, lora_bias, layer_replication, trainable tokens,
// target_parameters) are refused by name.
struct LoraConfig {
  std::string source;  // the file, for messages
  std::optional<std::string> base_model_name_or_path;
  int64_t r = 8;
  double lora_alpha = 8;
  bool use_rslora = false;
  bool fan_in_fan_out = false;  // the base stores [in, out] (GPT-2's Conv1D); adapters are [out, in] either way
  std::string bias = "none";    // "none", "all" or "lora_only": which biases the adapter file carries
  std::map<std::string, int64_t> rank_pattern;  // module-name pattern -> r
  std::map<std::string, double> alpha_pattern;  // module-name pattern -> lora_alpha
  std::vector<std::string> modules_to_save;
  nlohmann::json target_modules;  // as written: a list of names, a regex string or "all-linear"
  std::string task_type;

  static LoraConfig from_json(const nlohmann::json& json, const std::string& source);
  static LoraConfig from_file(const std::string& path);

  // r and lora_alpha for the module `name` ("model.layers.0.self_attn.q_proj"): rank_pattern /
  // alpha_pattern's first key matching the end of the name on a dot boundary, as PEFT's
  // get_pattern_key, else r / lora_alpha.
  int64_t rank_for(const std::string& name) const;
  double alpha_for(const std::string& name) const;
  // What B A is multiplied by: lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA.
  double scaling_for(const std::string& name) const;
};

}  // namespace transformers::peft
