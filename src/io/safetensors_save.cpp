// safetensors::save: files laid out byte for byte as the reference writer lays them out.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "safetensors_dtype.hpp"
#include "temporary_file.hpp"
#include "transformers/io/safetensors.hpp"
#include "utf8.hpp"

namespace transformers::safetensors {

namespace {

struct PlannedTensor {
  const std::string* name;
  const Tensor* tensor;
  const detail::FileDType* type;
  uint64_t begin = 0, end = 0;
};

[[noreturn]] void reject(const std::string& path, const std::string& problem) {
  throw InvalidArgument(path + ": cannot save: " + problem);
}

bool is_valid_utf8(const std::string& text) {
  return transformers::detail::find_invalid_utf8(text) == std::string_view::npos;
}

// Everything the header can't represent is refused before any file is created.
void check_inputs(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                  const std::map<std::string, std::string>& metadata) {
  std::set<std::string_view> seen;
  for (const auto& [name, tensor] : tensors) {
    if (name.empty()) reject(path, "a tensor has an empty name");
    if (name == "__metadata__") reject(path, "'__metadata__' names the metadata and cannot name a tensor");
    if (!is_valid_utf8(name)) reject(path, "a tensor name is not valid UTF-8");
    if (!seen.insert(name).second) reject(path, "tensor '" + name + "' is given more than once");
    if (!tensor.defined()) reject(path, "tensor '" + name + "' is undefined");
  }
  for (const auto& [key, value] : metadata)
    if (!is_valid_utf8(key) || !is_valid_utf8(value)) reject(path, "metadata key or value is not valid UTF-8");
}

// Widest alignment first (by the reference dtype order), then by name, back to back from 0: with
// the header padded to 8 bytes every tensor starts aligned for its element type.
std::vector<PlannedTensor> plan_layout(const std::vector<std::pair<std::string, Tensor>>& tensors) {
  std::vector<PlannedTensor> plan;
  plan.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) plan.push_back({&name, &tensor, &detail::file_dtype_of(tensor.dtype())});
  std::sort(plan.begin(), plan.end(), [](const PlannedTensor& a, const PlannedTensor& b) {
    if (a.type->rank != b.type->rank) return a.type->rank > b.type->rank;
    return *a.name < *b.name;
  });
  uint64_t offset = 0;
  for (PlannedTensor& entry : plan) {
    entry.begin = offset;
    offset += entry.tensor->nbytes();
    entry.end = offset;
  }
  return plan;
}

// Compact JSON in the reference writer's order: "__metadata__" (when there is any), then the
// tensors in layout order, each {"dtype", "shape", "data_offsets"}; padded with spaces to a
// multiple of 8 bytes. Joined by hand because a JSON object would reorder or re-search keys.
std::string header_text(const std::vector<PlannedTensor>& plan, const std::map<std::string, std::string>& metadata) {
  std::string text = "{";
  if (!metadata.empty()) text += "\"__metadata__\":" + nlohmann::json(metadata).dump() + ",";
  for (const PlannedTensor& entry : plan) {
    nlohmann::ordered_json fields;
    fields["dtype"] = std::string(entry.type->name);
    fields["shape"] = entry.tensor->shape();
    fields["data_offsets"] = {entry.begin, entry.end};
    text += nlohmann::json(*entry.name).dump() + ":" + fields.dump() + ",";
  }
  if (text.back() == ',') text.pop_back();
  text += "}";
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

void write_u64_little_endian(transformers::detail::TemporaryFile& file, uint64_t value) {
  unsigned char bytes[8];
  for (unsigned char& byte : bytes) {
    byte = static_cast<unsigned char>(value & 0xFF);
    value >>= 8;
  }
  file.write(bytes, sizeof bytes);
}

// One tensor at a time comes to the host in row-major order, so at most one copy is alive.
void write_tensor_data(transformers::detail::TemporaryFile& file, const Tensor& tensor) {
  if (tensor.numel() == 0) return;
  const Tensor host = tensor.to(Device::cpu()).contiguous();
  file.write(host.data_ptr(), host.nbytes());
}

}  // namespace

void save(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
          const std::map<std::string, std::string>& metadata) {
  check_inputs(path, tensors, metadata);
  const std::vector<PlannedTensor> plan = plan_layout(tensors);
  const std::string header = header_text(plan, metadata);

  transformers::detail::TemporaryFile file(path);
  write_u64_little_endian(file, header.size());
  file.write(header.data(), header.size());
  for (const PlannedTensor& entry : plan) write_tensor_data(file, *entry.tensor);
  file.commit();
}

}  // namespace transformers::safetensors
