// safetensors::File: a validated, memory-mapped file whose tensors borrow the mapped bytes.
#include "transformers/io/safetensors.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "float8.hpp"
#include "mapped_file.hpp"
#include "safetensors_dtype.hpp"
#include "safetensors_header.hpp"

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian and is borrowed as is; a big-endian host would need byte swaps");

namespace transformers::safetensors {

namespace {

Tensor decode_float8(const unsigned char* bytes, const Shape& shape, float (*decode)(uint8_t)) {
  Tensor out = Tensor::empty(shape, DType::F32);
  auto* values = out.data<float>();
  const int64_t count = out.numel();
  for (int64_t i = 0; i < count; ++i) values[i] = decode(bytes[i]);
  return out;
}

}  // namespace

std::shared_ptr<File> File::open(const std::string& path) {
  transformers::detail::MappedFile mapped = transformers::detail::map_file_read_only(path);
  detail::Header header = detail::read_header(path, mapped.bytes, mapped.size);

  std::shared_ptr<File> file(new File());
  file->path_ = path;
  file->mapping_ = std::move(mapped.mapping);
  file->data_ = mapped.bytes + header.data_start;
  file->tensors_ = std::move(header.tensors);
  file->metadata_ = std::move(header.metadata);
  for (size_t i = 0; i < file->tensors_.size(); ++i) file->index_.emplace(file->tensors_[i].name, i);
  return file;
}

File::~File() = default;

std::vector<std::string> File::names() const {
  std::vector<std::string> names;
  names.reserve(tensors_.size());
  for (const TensorInfo& tensor : tensors_) names.push_back(tensor.name);
  return names;
}

const TensorInfo& File::info(const std::string& name) const {
  auto found = index_.find(name);
  if (found == index_.end()) throw FileError(path_ + ": no tensor named '" + name + "'");
  return tensors_[found->second];
}

Tensor File::get(const std::string& name) const {
  const TensorInfo& entry = info(name);
  const detail::FileDType& type = *detail::find_file_dtype(entry.dtype);  // validated by open()
  const unsigned char* bytes = data_ + entry.begin;
  const size_t nbytes = entry.end - entry.begin;
  if (type.native) return transformers::detail::mapped_tensor(mapping_, bytes, nbytes, entry.shape, *type.native);
  if (type.name == "F8_E4M3") return decode_float8(bytes, entry.shape, transformers::detail::float8_e4m3fn_to_float);
  if (type.name == "F8_E5M2") return decode_float8(bytes, entry.shape, transformers::detail::float8_e5m2_to_float);
  throw FileError(path_ + ": tensor '" + name + "': dtype " + entry.dtype +
                  " is not supported (tensors hold F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL; "
                  "F8_E4M3 and F8_E5M2 are read as F32)");
}

}  // namespace transformers::safetensors
