// config.json: the JSON read as transformers' PretrainedConfig, then as the typed config of every
// model class registered for its model_type (built on a checkpoint that holds no tensors, so each
// stops at its first weight with a FileError once its config has been read).
#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "transformers/models/auto.hpp"

namespace {

class NoTensors final : public transformers::TensorSource {
 public:
  const std::string& path() const override { return path_; }
  std::vector<std::string> names() const override { return {}; }
  bool contains(const std::string&) const override { return false; }
  transformers::Tensor get(const std::string& name, transformers::DType) const override {
    throw transformers::FileError("no tensor " + name);
  }
  std::optional<transformers::DType> stored_dtype(const std::string&) const override { return std::nullopt; }

 private:
  std::string path_ = "fuzzed config";
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto json = nlohmann::json::parse(fuzz::text(data, size), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return 0;  // not JSON: nlohmann's parser, not ours
  try {
    const auto config = transformers::PretrainedConfig::from_json(json, "fuzzed config.json");
    for (const transformers::ModelEntry& entry : transformers::model_registry()) {
      if (!json.is_object() || json.value("model_type", nlohmann::json()) != entry.model_type) continue;
      try {
        transformers::nn::Weights weights(std::make_shared<NoTensors>(), entry.base_model_prefix);
        entry.build(config, weights);
      } catch (const transformers::Error&) {
      }
    }
  } catch (const transformers::Error&) {
  }
  return 0;
}
