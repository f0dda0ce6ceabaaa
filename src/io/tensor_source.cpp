// A safetensors checkpoint seen as a TensorSource (see transformers/io/tensor_source.hpp).
#include "transformers/io/tensor_source.hpp"

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

}  // namespace

std::shared_ptr<const TensorSource> tensor_source(safetensors::Checkpoint checkpoint) {
  return std::make_shared<SafetensorsSource>(std::move(checkpoint));
}

}  // namespace transformers
