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

Tensor copy_of_bytes(const unsigned char* bytes, size_t nbytes, const Shape& shape, DType dtype) {
  Tensor out = Tensor::empty(shape, dtype);
  if (nbytes != 0) std::memcpy(out.data_ptr(), bytes, nbytes);
  return out;
}

bool is_aligned(const void* pointer, size_t alignment) { return reinterpret_cast<uintptr_t>(pointer) % alignment == 0; }

// A C++ bool object may only hold 0 or 1, but nothing stops a writer from storing other bytes in
// a BOOL tensor; those are read as true (what a cast to bool gives) in a copy.
bool holds_only_zero_and_one(const unsigned char* bytes, size_t nbytes) {
  for (size_t i = 0; i < nbytes; ++i)
    if (bytes[i] > 1) return false;
  return true;
}

Tensor normalized_bools(const unsigned char* bytes, size_t nbytes, const Shape& shape) {
  Tensor out = Tensor::empty(shape, DType::Bool);
  auto* values = static_cast<bool*>(out.data_ptr());
  for (size_t i = 0; i < nbytes; ++i) values[i] = bytes[i] != 0;
  return out;
}

// The bytes as a tensor of their own dtype: borrowed from the mapping when they can be read in
// place, copied when the file puts them at an address unaligned for the element type (files
// from other writers need not align tensors).
Tensor native_tensor(const std::shared_ptr<const void>& mapping, const unsigned char* bytes, size_t nbytes,
                     const Shape& shape, DType dtype) {
  if (dtype == DType::Bool && !holds_only_zero_and_one(bytes, nbytes)) return normalized_bools(bytes, nbytes, shape);
  if (!is_aligned(bytes, dtype_size(dtype))) return copy_of_bytes(bytes, nbytes, shape, dtype);
  // The mapping is read-only: Storage's interface takes a mutable pointer, but writing through a
  // borrowed tensor would fault, which the header documents.
  auto storage = Storage::borrow(const_cast<unsigned char*>(bytes), nbytes, mapping);
  return Tensor(std::move(storage), dtype, shape, contiguous_strides(shape), 0);
}

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
  if (type.native) return native_tensor(mapping_, bytes, nbytes, entry.shape, *type.native);
  if (type.name == "F8_E4M3") return decode_float8(bytes, entry.shape, transformers::detail::float8_e4m3fn_to_float);
  if (type.name == "F8_E5M2") return decode_float8(bytes, entry.shape, transformers::detail::float8_e5m2_to_float);
  throw FileError(path_ + ": tensor '" + name + "': dtype " + entry.dtype +
                  " is not supported (tensors hold F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL; "
                  "F8_E4M3 and F8_E5M2 are read as F32)");
}

}  // namespace transformers::safetensors
