// Prints what a Hugging Face model folder holds: the config summary and every weight tensor
// (name, dtype, shape), read straight from config.json and the (possibly sharded) safetensors.
//
//   inspect_model path/to/model
#include <iostream>

#include <transformers/transformers.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " MODEL_FOLDER\n";
    return 2;
  }
  using namespace transformers;
  try {
    PretrainedConfig config = PretrainedConfig::from_pretrained(argv[1]);
    std::cout << "model_type: " << config.model_type << "\n";
    for (const std::string& architecture : config.architectures) std::cout << "architecture: " << architecture << "\n";
    std::cout << "hidden_size: " << config.hidden_size << ", layers: " << config.num_hidden_layers
              << ", heads: " << config.num_attention_heads << ", vocab: " << config.vocab_size << "\n";
    std::cout << "labels:";
    for (const auto& [id, label] : config.id2label) std::cout << " " << id << "=" << label;
    std::cout << "\n\n";

    safetensors::Checkpoint weights = safetensors::Checkpoint::open(argv[1]);
    int64_t parameters = 0;
    for (const std::string& name : weights.names()) {
      const safetensors::TensorInfo& info = weights.info(name);
      std::cout << name << "  " << info.dtype << " " << shape_str(info.shape) << "\n";
      parameters += shape_numel(info.shape);
    }
    std::cout << "\n"
              << weights.names().size() << " tensors, " << parameters << " parameters in " << weights.files().size()
              << " file(s)\n";
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
