// A safetensors checkpoint seen as a TensorSource (see transformers/io/tensor_source.hpp).
#include "transformers/io/tensor_source.hpp"

#include <filesystem>

#include "transformers/io/pytorch_checkpoint.hpp"

namespace transformers {

namespace {

class SafetensorsSource final : public TensorSource {
 public:
  explicit SafetensorsSource(safetensors::Checkpoint checkpoint) : checkpoint_(std::move(checkpoint)) {}

  const std::string& path() const override { return checkpoint_.path(); }
  std::vector<std::string> names() const override { return checkpoint_.names(); }
  bool contains(const std::string& name) const override { return checkpoint_.contains(name); }
  Tensor get(const std::string& name, DType) const override { return checkpoint_.get(name); }
  std::optional<DType> stored_dtype(const std::string& name) const override {
    const std::string& stored = checkpoint_.info(name).dtype;
    if (stored == "F32") return DType::F32;
    if (stored == "BF16") return DType::BF16;
    if (stored == "F16") return DType::F16;
    return std::nullopt;
  }

 private:
  safetensors::Checkpoint checkpoint_;
};

// pytorch_model.bin, model.pt, pytorch_model.bin.index.json, ...; any other name is safetensors.
bool is_pytorch_name(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  if (file.extension() == ".json") return name.find(".bin") != std::string::npos;
  return file.extension() == ".bin" || file.extension() == ".pt" || file.extension() == ".pth";
}

}  // namespace

std::shared_ptr<const TensorSource> tensor_source(safetensors::Checkpoint checkpoint) {
  return std::make_shared<SafetensorsSource>(std::move(checkpoint));
}

std::shared_ptr<const TensorSource> open_weights(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  if (!fs::is_directory(path, ignored))
    return is_pytorch_name(path) ? pytorch::open_checkpoint(path) : tensor_source(safetensors::Checkpoint::open(path));
  for (const char* safetensors_name : {"model.safetensors", "model.safetensors.index.json"})
    if (fs::exists(fs::path(path) / safetensors_name, ignored))
      return tensor_source(safetensors::Checkpoint::open(path));
  for (const char* pytorch_name : {"pytorch_model.bin", "pytorch_model.bin.index.json"})
    if (fs::exists(fs::path(path) / pytorch_name, ignored)) return pytorch::open_checkpoint(path);
  throw FileError(path +
                  ": folder holds no weights (model.safetensors, model.safetensors.index.json, pytorch_model.bin or "
                  "pytorch_model.bin.index.json)");
}

}  // namespace transformers
