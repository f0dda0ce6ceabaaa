// Reading GGUF files: the header, the metadata and the tensor table, every field checked against
// the bytes that remain before it is used (see transformers/io/gguf.hpp).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "mapped_file.hpp"
#include "transformers/core/half.hpp"
#include "transformers/core/error.hpp"
#include "transformers/io/gguf.hpp"
#include "utf8.hpp"

namespace transformers::gguf {

namespace {

using nlohmann::json;

// The metadata value types of the GGUF specification.
enum class ValueType : uint32_t {
  UInt8 = 0,
  Int8 = 1,
  UInt16 = 2,
  Int16 = 3,
  UInt32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  UInt64 = 10,
  Int64 = 11,
  Float64 = 12,
};

constexpr uint64_t kDefaultAlignment = 32;
constexpr size_t kMaxDims = 4;     // GGML_MAX_DIMS
constexpr int kMaxArrayDepth = 4;  // arrays of arrays are allowed; a deeper nesting is refused

// Reads little-endian values from the mapped header, never past its end.
class Reader {
 public:
  Reader(const unsigned char* bytes, uint64_t size, const std::string& path)
      : bytes_(bytes), size_(size), path_(path) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw FileError(path_ + ": not a valid GGUF file: " + problem + " (at byte " + std::to_string(at_) + ")");
  }
  uint64_t position() const { return at_; }
  uint64_t remaining() const { return size_ - at_; }
  void seek(uint64_t at) { at_ = at; }
  void skip(uint64_t bytes, const char* what) {
    if (bytes > remaining())
      fail(std::string(what) + " claims " + std::to_string(bytes) + " bytes but only " + std::to_string(remaining()) +
           " remain");
    at_ += bytes;
  }

  template <typename T>
  T read(const char* what) {
    if (remaining() < sizeof(T)) fail(std::string("the file ends inside ") + what);
    T value;
    std::memcpy(&value, bytes_ + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }

  // A length-prefixed string; names and keys must be UTF-8, values are kept as the bytes they are
  // (a vocabulary may hold byte sequences).
  std::string string(const char* what, bool must_be_utf8 = true) {
    const uint64_t length = read<uint64_t>(what);
    if (length > remaining())
      fail(std::string(what) + " claims " + std::to_string(length) + " bytes but only " + std::to_string(remaining()) +
           " remain");
    std::string text(reinterpret_cast<const char*>(bytes_ + at_), static_cast<size_t>(length));
    at_ += length;
    if (must_be_utf8 && detail::find_invalid_utf8(text) != std::string_view::npos)
      fail(std::string(what) + " is not valid UTF-8");
    return text;
  }

  // A count of items that each take at least `min_item_bytes`: it can't exceed what the file holds.
  uint64_t count(const char* what, uint64_t min_item_bytes) {
    const uint64_t n = read<uint64_t>(what);
    if (min_item_bytes > 0 && n > remaining() / min_item_bytes)
      fail(std::string(what) + " is " + std::to_string(n) + ", more than the " + std::to_string(remaining()) +
           " remaining bytes can hold");
    return n;
  }

 private:
  const unsigned char* bytes_;
  uint64_t size_;
  uint64_t at_ = 0;
  const std::string& path_;
};

uint64_t min_value_bytes(ValueType type) {
  switch (type) {
    case ValueType::UInt8:
    case ValueType::Int8:
    case ValueType::Bool: return 1;
    case ValueType::UInt16:
    case ValueType::Int16: return 2;
    case ValueType::UInt32:
    case ValueType::Int32:
    case ValueType::Float32: return 4;
    case ValueType::UInt64:
    case ValueType::Int64:
    case ValueType::Float64: return 8;
    case ValueType::String: return 8;  // its length
    case ValueType::Array: return 12;  // element type + count
  }
  return 1;
}

json read_value(Reader& r, uint32_t raw_type, const std::string& key, int depth) {
  const auto type = static_cast<ValueType>(raw_type);
  switch (type) {
    case ValueType::UInt8: return r.read<uint8_t>(key.c_str());
    case ValueType::Int8: return r.read<int8_t>(key.c_str());
    case ValueType::UInt16: return r.read<uint16_t>(key.c_str());
    case ValueType::Int16: return r.read<int16_t>(key.c_str());
    case ValueType::UInt32: return r.read<uint32_t>(key.c_str());
    case ValueType::Int32: return r.read<int32_t>(key.c_str());
    case ValueType::UInt64: return r.read<uint64_t>(key.c_str());
    case ValueType::Int64: return r.read<int64_t>(key.c_str());
    case ValueType::Float32: return r.read<float>(key.c_str());
    case ValueType::Float64: return r.read<double>(key.c_str());
    case ValueType::Bool: {
      const uint8_t b = r.read<uint8_t>(key.c_str());
      if (b > 1) r.fail("metadata '" + key + "' is a bool holding " + std::to_string(b));
      return b == 1;
    }
    case ValueType::String: return r.string(("metadata '" + key + "'").c_str(), false);
    case ValueType::Array: {
      if (depth >= kMaxArrayDepth)
        r.fail("metadata '" + key + "' nests arrays deeper than " + std::to_string(kMaxArrayDepth));
      const uint32_t element_type = r.read<uint32_t>(key.c_str());
      if (element_type > static_cast<uint32_t>(ValueType::Float64))
        r.fail("metadata '" + key + "' is an array of unknown type " + std::to_string(element_type));
      const uint64_t n =
          r.count(("metadata array '" + key + "'").c_str(), min_value_bytes(static_cast<ValueType>(element_type)));
      json array = json::array();
      for (uint64_t i = 0; i < n; ++i) array.push_back(read_value(r, element_type, key, depth + 1));
      return array;
    }
  }
  r.fail("metadata '" + key + "' has unknown value type " + std::to_string(raw_type));
}

bool known_type(uint32_t type) {
  switch (static_cast<TensorType>(type)) {
    case TensorType::F32:
    case TensorType::F16:
    case TensorType::BF16:
    case TensorType::Q4_0:
    case TensorType::Q4_1:
    case TensorType::Q5_0:
    case TensorType::Q5_1:
    case TensorType::Q8_0:
    case TensorType::Q2_K:
    case TensorType::Q3_K:
    case TensorType::Q4_K:
    case TensorType::Q5_K:
    case TensorType::Q6_K: return true;
  }
  return false;
}

TensorInfo read_tensor_info(Reader& r) {
  TensorInfo info;
  info.name = r.string("a tensor name");
  const uint32_t dims = r.read<uint32_t>("a tensor's dimension count");
  if (dims == 0 || dims > kMaxDims)
    r.fail("tensor '" + info.name + "' has " + std::to_string(dims) + " dimensions (1 to 4 allowed)");
  std::vector<int64_t> sizes(dims);
  uint64_t elements = 1;
  for (uint32_t d = 0; d < dims; ++d) {
    const uint64_t size = r.read<uint64_t>("a tensor dimension");
    if (size == 0 || size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        elements > std::numeric_limits<uint64_t>::max() / size)
      r.fail("tensor '" + info.name + "' has an impossible dimension " + std::to_string(size));
    elements *= size;
    sizes[dims - 1 - d] = static_cast<int64_t>(size);  // GGUF lists the fastest dimension first
  }
  const uint32_t type = r.read<uint32_t>("a tensor type");
  if (!known_type(type))
    r.fail("tensor '" + info.name + "' has type " + std::to_string(type) + ", which transformers.cpp does not read");
  info.type = static_cast<TensorType>(type);
  info.shape = sizes;
  const uint64_t per_block = static_cast<uint64_t>(block_elements(info.type));
  if (elements / per_block > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(block_bytes(info.type)))
    r.fail("tensor '" + info.name + "' is too large (" + std::to_string(elements) + " elements)");
  if (static_cast<uint64_t>(sizes.back()) % per_block != 0)
    r.fail("tensor '" + info.name + "' rows of " + std::to_string(sizes.back()) + " are not whole " +
           type_name(info.type) + " blocks of " + std::to_string(per_block));
  info.nbytes = elements / per_block * static_cast<uint64_t>(block_bytes(info.type));
  info.offset = r.read<uint64_t>("a tensor offset");
  return info;
}

// Arrays longer than this (a vocabulary's tokens, scores, types and merges) are checked at open but
// converted to JSON only when asked for: reading a config from a GGUF file then costs a millisecond,
// not the 10-30 ms of building every vocabulary entry as a JSON value.
constexpr uint64_t kDeferredArrayLength = 256;

// Walks over an array value (r after its value type) with the same checks read_value makes, and
// returns its element count; nullopt, with r unmoved, when it is short or nests arrays (read now).
std::optional<uint64_t> skip_long_array(Reader& r, const std::string& key) {
  const uint64_t start = r.position();
  const uint32_t element_type = r.read<uint32_t>(key.c_str());
  if (element_type > static_cast<uint32_t>(ValueType::Float64))
    r.fail("metadata '" + key + "' is an array of unknown type " + std::to_string(element_type));
  const auto type = static_cast<ValueType>(element_type);
  const uint64_t n = r.count(("metadata array '" + key + "'").c_str(), min_value_bytes(type));
  if (n <= kDeferredArrayLength || type == ValueType::Array) {
    r.seek(start);
    return std::nullopt;
  }
  const std::string what = "metadata '" + key + "'";
  if (type != ValueType::String) {
    r.skip(n * min_value_bytes(type), what.c_str());  // a scalar's size; count() checked that n fit
  } else {
    for (uint64_t i = 0; i < n; ++i) r.skip(r.read<uint64_t>(what.c_str()), what.c_str());
  }
  return n;
}

}  // namespace

std::shared_ptr<File> File::open(const std::string& path) {
  detail::MappedFile mapped = detail::map_file_read_only(path);
  std::shared_ptr<File> file(new File());
  file->path_ = path;
  file->mapping_ = mapped.mapping;
  file->bytes_ = mapped.bytes;
  file->size_ = mapped.size;
  Reader r(mapped.bytes, mapped.size, file->path_);
  if (r.read<uint32_t>("the magic number") != 0x46554747u) r.fail("it does not start with \"GGUF\"");
  file->version_ = r.read<uint32_t>("the version");
  if (file->version_ != 2 && file->version_ != 3)
    r.fail("version " + std::to_string(file->version_) + " (2 and 3 are read)");
  const uint64_t tensor_count = r.count("the tensor count", 8 + 4 + 8 + 4 + 8);
  const uint64_t kv_count = r.count("the metadata count", 8 + 4);
  for (uint64_t i = 0; i < kv_count; ++i) {
    const std::string key = r.string("a metadata key");
    if (file->metadata_.contains(key) || file->deferred_.count(key)) r.fail("metadata key '" + key + "' appears twice");
    const uint32_t type = r.read<uint32_t>(key.c_str());
    const uint64_t value_start = r.position();
    if (type == static_cast<uint32_t>(ValueType::Array)) {
      if (const std::optional<uint64_t> length = skip_long_array(r, key)) {
        file->deferred_.emplace(key, DeferredArray{value_start, *length});
        continue;
      }
    }
    file->metadata_[key] = read_value(r, type, key, 0);
  }
  for (uint64_t i = 0; i < tensor_count; ++i) {
    TensorInfo info = read_tensor_info(r);
    if (file->index_.count(info.name)) r.fail("tensor '" + info.name + "' appears twice");
    file->index_.emplace(info.name, file->tensors_.size());
    file->tensors_.push_back(std::move(info));
  }
  uint64_t alignment = kDefaultAlignment;
  if (const json& given = file->value("general.alignment"); !given.is_null()) {
    if (!given.is_number_unsigned() || given.get<uint64_t>() == 0 ||
        (given.get<uint64_t>() & (given.get<uint64_t>() - 1)))
      r.fail("general.alignment must be a power of two, got " + given.dump());
    alignment = given.get<uint64_t>();
  }
  uint64_t data_start = (r.position() + alignment - 1) / alignment * alignment;
  // A file without tensors (llama.cpp's tokenizer-only vocabularies) may end right after its metadata,
  // without the padding up to a data section it does not have.
  if (file->tensors_.empty()) data_start = std::min<uint64_t>(data_start, mapped.size);
  if (data_start > mapped.size) r.fail("the tensor data would start past the end of the file");
  const uint64_t data_size = mapped.size - data_start;
  for (const TensorInfo& info : file->tensors_) {
    if (info.offset % alignment != 0)
      r.fail("tensor '" + info.name + "' starts at offset " + std::to_string(info.offset) + ", not a multiple of the " +
             std::to_string(alignment) + "-byte alignment");
    if (info.offset > data_size || info.nbytes > data_size - info.offset)
      r.fail("tensor '" + info.name + "' (" + std::to_string(info.nbytes) + " bytes at offset " +
             std::to_string(info.offset) + ") runs past the end of the file's " + std::to_string(data_size) +
             " data bytes");
  }
  file->data_ = mapped.bytes + data_start;
  return file;
}

void File::read_deferred(const std::string& key) const {
  const auto it = deferred_.find(key);
  if (it == deferred_.end()) return;
  Reader r(bytes_, size_, path_);
  r.seek(it->second.offset);
  metadata_[key] = read_value(r, static_cast<uint32_t>(ValueType::Array), key, 0);  // checked at open
  deferred_.erase(it);
}

const nlohmann::json& File::metadata() const {
  std::lock_guard<std::mutex> lock(metadata_mutex_);
  while (!deferred_.empty()) read_deferred(deferred_.begin()->first);
  return metadata_;
}

const nlohmann::json& File::value(const std::string& key) const {
  static const nlohmann::json null;
  std::lock_guard<std::mutex> lock(metadata_mutex_);
  read_deferred(key);
  auto it = metadata_.find(key);
  return it == metadata_.end() ? null : *it;
}

std::optional<uint64_t> File::array_length(const std::string& key) const {
  std::lock_guard<std::mutex> lock(metadata_mutex_);
  if (const auto deferred = deferred_.find(key); deferred != deferred_.end()) return deferred->second.length;
  const auto it = metadata_.find(key);
  if (it == metadata_.end() || !it->is_array()) return std::nullopt;
  return it->size();
}

const TensorInfo& File::info(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw FileError(path_ + ": no tensor named '" + name + "' in this GGUF file");
  return tensors_[it->second];
}

namespace {

// Dequantizes `count` elements of `type` straight into bf16 or f16 (rounded to nearest even, as
// torch's .to() rounds the float32 that gguf.quants gives): whole blocks at a time through a small
// float32 buffer per thread, so a model never holds a float32 copy of a weight it keeps in 16 bits
// (at load, allocating and zeroing those copies cost more than the dequantizing).
void dequantize_narrowed(TensorType type, const unsigned char* blocks, uint16_t* out, int64_t count, bool bf16) {
  const int64_t per_block = block_elements(type), bytes = block_bytes(type);
  if (count % per_block != 0)
    throw InvalidArgument(std::string("gguf: ") + std::to_string(count) + " elements are not whole " + type_name(type) +
                          " blocks");
  const int64_t blocks_per_chunk = std::max<int64_t>(1, 8192 / per_block), chunk = blocks_per_chunk * per_block;
  const int64_t chunks = (count + chunk - 1) / chunk;
#pragma omp parallel if (chunks > 1)
  {
    std::vector<float> buffer(static_cast<size_t>(chunk));
#pragma omp for schedule(static)
    for (int64_t c = 0; c < chunks; ++c) {
      const int64_t begin = c * chunk, n = std::min(chunk, count - begin);
      dequantize(type, blocks + begin / per_block * bytes, buffer.data(), n);
      uint16_t* to = out + begin;
      if (bf16) {
        for (int64_t i = 0; i < n; ++i) to[i] = float_to_bf16_bits(buffer[static_cast<size_t>(i)]);
      } else {
        for (int64_t i = 0; i < n; ++i) to[i] = float_to_f16_bits(buffer[static_cast<size_t>(i)]);
      }
    }
  }
}

}  // namespace

Tensor File::get(const std::string& name, DType dtype) const {
  if (dtype != DType::F32 && dtype != DType::BF16 && dtype != DType::F16)
    throw InvalidArgument(path_ + ": tensor '" + name + "' can be read as float32, bfloat16 or float16, not " +
                          dtype_name(dtype));
  const TensorInfo& t = info(name);
  void* bytes = const_cast<unsigned char*>(data_ + t.offset);  // read-only mapping: borrowed tensors are not written
  const DType stored = t.type == TensorType::F32    ? DType::F32
                       : t.type == TensorType::F16  ? DType::F16
                       : t.type == TensorType::BF16 ? DType::BF16
                                                    : DType::U8;
  const bool aligned = reinterpret_cast<uintptr_t>(bytes) % dtype_size(stored == DType::U8 ? DType::F32 : stored) == 0;
  if (stored == dtype && aligned)
    return Tensor(Storage::borrow(bytes, t.nbytes, mapping_), dtype, t.shape, contiguous_strides(t.shape), 0);
  Tensor out = Tensor::empty(t.shape, dtype);
  if (dtype == DType::F32) {
    dequantize(t.type, bytes, out.data<float>(), out.numel());
  } else {
    dequantize_narrowed(t.type, static_cast<const unsigned char*>(bytes), static_cast<uint16_t*>(out.data_ptr()),
                        out.numel(), dtype == DType::BF16);
  }
  return out;
}

Tensor File::blocks(const std::string& name) const {
  const TensorInfo& t = info(name);
  const std::optional<DType> dtype = block_dtype(t.type);
  if (!dtype || t.shape.empty())
    throw InvalidArgument(path_ + ": tensor '" + name + "' is stored as " + type_name(t.type) +
                          ", not in a block-quantized format transformers.cpp multiplies as stored");
  Shape shape = t.shape;
  shape.back() = shape.back() / block_elements(t.type) * block_bytes(t.type);  // whole blocks: checked at open
  void* bytes = const_cast<unsigned char*>(data_ + t.offset);  // read-only mapping: borrowed tensors are not written
  return Tensor(Storage::borrow(bytes, t.nbytes, mapping_), *dtype, shape, contiguous_strides(shape), 0);
}

void File::release(const std::string& name) const {
  const TensorInfo& t = info(name);
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data_ + t.offset) + page - 1) / page * page;
  const uintptr_t end = reinterpret_cast<uintptr_t>(data_ + t.offset + t.nbytes) / page * page;
  // Read-only and unmodified: the pages come back from the file if touched again.
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace transformers::gguf
