// PyTorch checkpoints as TensorSources (see transformers/io/pytorch_checkpoint.hpp). Two layouts:
//   zip (torch >= 1.6): <archive>/data.pkl is the pickled state dict, <archive>/data/<key> each
//     storage's bytes, <archive>/byteorder "little" or "big";
//   legacy: five pickles one after another (magic number, protocol version, system info with the
//     byte order, the state dict, the list of storage keys), then for each key in that list an
//     int64 element count and the storage's bytes.
#include "transformers/io/pytorch_checkpoint.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>

#include "checkpoint_index.hpp"
#include "mapped_file.hpp"
#include "torch_state_dict.hpp"
#include "transformers/io/safe_path.hpp"
#include "zip_archive.hpp"

namespace transformers::pytorch {

namespace {

namespace fs = std::filesystem;
using io::StateDictPolicy;
using io::StorageRecord;
using io::TensorRecord;

constexpr const char* kSingleFileName = "pytorch_model.bin";
constexpr const char* kIndexFileName = "pytorch_model.bin.index.json";
constexpr int64_t kLegacyProtocolVersion = 1001;
// The legacy format's first pickle: protocol 2, LONG1 of 10 bytes 0x1950a86a20f9469cfc6c, STOP.
constexpr unsigned char kLegacyMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                          0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};

[[noreturn]] void fail(const std::string& path, const std::string& problem) { throw FileError(path + ": " + problem); }

struct Bytes {
  const unsigned char* data = nullptr;
  uint64_t size = 0;
};

// Storage `record`'s bytes must hold its elements.
void check_storage_size(const std::string& path, const StorageRecord& record, uint64_t available) {
  uint64_t needed = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(record.numel), dtype_size(record.dtype), &needed) ||
      needed > available)
    fail(path, "storage '" + io::printable(record.key) + "' holds " + std::to_string(available) +
                   " bytes, fewer than its " + std::to_string(record.numel) + " " + dtype_name(record.dtype) +
                   " elements");
}

bool is_row_major(const TensorRecord& tensor) {
  int64_t expected = 1;
  for (size_t d = tensor.shape.size(); d-- > 0;) {
    if (tensor.shape[d] != 1 && tensor.strides[d] != expected) return false;
    expected *= tensor.shape[d];
  }
  return true;
}

// The tensor's elements gathered in row-major order, each byte-swapped when the file is big-endian;
// bools normalized to 0/1.
Tensor gathered(const TensorRecord& tensor, DType dtype, const unsigned char* storage, bool big_endian) {
  Tensor out = Tensor::empty(tensor.shape, dtype);
  const size_t element = dtype_size(dtype);
  auto* into = static_cast<unsigned char*>(out.data_ptr());
  const int64_t count = out.numel();
  std::vector<int64_t> index(tensor.shape.size(), 0);
  int64_t source = tensor.offset;
  for (int64_t i = 0; i < count; ++i) {
    unsigned char* element_out = into + static_cast<size_t>(i) * element;
    std::memcpy(element_out, storage + static_cast<size_t>(source) * element, element);
    if (big_endian) std::reverse(element_out, element_out + element);
    if (dtype == DType::Bool) *element_out = *element_out != 0;
    for (size_t d = index.size(); d-- > 0;) {  // the odometer: next index, next source element
      source += tensor.strides[d];
      if (++index[d] < tensor.shape[d]) break;
      source -= tensor.strides[d] * tensor.shape[d];
      index[d] = 0;
    }
  }
  return out;
}

class PyTorchFile final : public TensorSource {
 public:
  explicit PyTorchFile(std::string path) : path_(std::move(path)), file_(detail::map_file_read_only(path_)) {
    if (io::looks_like_zip(file_.bytes, file_.size)) {
      read_zip();
    } else if (file_.size >= sizeof(kLegacyMagic) &&
               std::memcmp(file_.bytes, kLegacyMagic, sizeof(kLegacyMagic)) == 0) {
      read_legacy();
    } else if (file_.size > 262 && std::memcmp(file_.bytes + 257, "ustar", 5) == 0) {
      fail(path_, "a tar archive (torch.save before PyTorch 0.4) is not read; save it again with a newer torch");
    } else {
      fail(path_, "neither torch.save's zip format nor its legacy pickle format");
    }
  }

  const std::string& path() const override { return path_; }
  std::vector<std::string> names() const override {
    std::vector<std::string> names;
    for (const auto& entry : tensors_) names.push_back(entry.first);
    return names;
  }
  bool contains(const std::string& name) const override { return tensors_.count(name) != 0; }
  Tensor get(const std::string& name, DType) const override {
    const auto found = tensors_.find(name);
    if (found == tensors_.end()) fail(path_, "no tensor named '" + name + "' in this checkpoint");
    return tensor(found->second);
  }
  std::optional<DType> stored_dtype(const std::string& name) const override {
    const auto found = tensors_.find(name);
    if (found == tensors_.end()) return std::nullopt;
    const DType dtype = storages_[found->second.storage].dtype;
    if (dtype == DType::F32 || dtype == DType::BF16 || dtype == DType::F16) return dtype;
    return std::nullopt;
  }

 private:
  Tensor tensor(const TensorRecord& record) const {
    const DType dtype = storages_[record.storage].dtype;
    const unsigned char* storage = storage_bytes_[record.storage].data;
    const size_t element = dtype_size(dtype);
    const unsigned char* start = storage + static_cast<size_t>(record.offset) * element;
    int64_t numel = 1;
    for (int64_t size : record.shape) numel *= size;
    const size_t nbytes = static_cast<size_t>(numel) * element;
    if (big_endian_ || !is_row_major(record) || numel == 0) return gathered(record, dtype, storage, big_endian_);
    return detail::mapped_tensor(file_.mapping, start, nbytes, record.shape, dtype);
  }

  void read_zip() {
    const std::map<std::string, io::ZipEntry> entries = io::read_stored_zip(file_.bytes, file_.size, path_);
    std::string archive;
    for (const auto& [name, entry] : entries) {
      const size_t slash = name.find('/');
      if (slash == std::string::npos || name.substr(slash) != "/data.pkl") continue;
      if (!archive.empty()) fail(path_, "two pickles (" + archive + "/data.pkl and " + io::printable(name) + ")");
      archive = name.substr(0, slash);
    }
    if (archive.empty()) fail(path_, "a zip archive without <name>/data.pkl: not written by torch.save");
    const auto entry = [&](const std::string& name) -> const io::ZipEntry* {
      const auto found = entries.find(archive + "/" + name);
      return found == entries.end() ? nullptr : &found->second;
    };
    if (const io::ZipEntry* order = entry("byteorder")) {
      const std::string text(reinterpret_cast<const char*>(file_.bytes + order->offset), order->size);
      if (text != "little" && text != "big")
        fail(path_, "byteorder is '" + io::printable(text) + "', not little or big");
      big_endian_ = text == "big";
    }
    const io::ZipEntry& pickle = *entry("data.pkl");
    StateDictPolicy policy(/*legacy=*/false);
    io::pickle::Unpickler in(file_.bytes + pickle.offset, pickle.size, path_ + ": " + archive + "/data.pkl", policy);
    tensors_ = policy.tensors_of(in, in.load());
    storages_ = policy.storages();
    for (const StorageRecord& storage : storages_) {
      const io::ZipEntry* bytes = entry("data/" + storage.key);
      if (!bytes)
        fail(path_, "storage '" + io::printable(storage.key) + "' has no entry data/" + io::printable(storage.key));
      check_storage_size(path_, storage, bytes->size);
      storage_bytes_.push_back({file_.bytes + bytes->offset, bytes->size});
    }
  }

  void read_legacy() {
    StateDictPolicy policy(/*legacy=*/true);
    // After the magic number, already compared byte for byte (it is wider than the unpickler's
    // 64-bit integers).
    io::pickle::Unpickler in(file_.bytes + sizeof(kLegacyMagic), file_.size - sizeof(kLegacyMagic), path_, policy);
    if (in.as_int(in.load(), "the legacy format's protocol version") != kLegacyProtocolVersion)
      fail(path_, "legacy torch.save protocol version is not 1001");
    big_endian_ = !little_endian(in, in.load());
    const io::pickle::Ref state_dict = in.load();
    tensors_ = policy.tensors_of(in, state_dict);
    storages_ = policy.storages();
    storage_bytes_.assign(storages_.size(), Bytes{});
    std::map<std::string, size_t> index_of;
    for (size_t i = 0; i < storages_.size(); ++i) index_of[storages_[i].key] = i;
    const io::pickle::Ref keys = in.load();
    uint64_t at = sizeof(kLegacyMagic) + in.position();
    for (io::pickle::Ref key : in.as_tuple(keys, "the legacy format's storage keys")) {
      const auto found = index_of.find(in.as_string(key, "a storage key"));
      if (found == index_of.end()) fail(path_, "the storage key list names a storage no tensor uses");
      if (file_.size - at < 8) fail(path_, "ends inside the header of storage '" + io::printable(found->first) + "'");
      int64_t count = 0;
      std::memcpy(&count, file_.bytes + at, 8);
      if (big_endian_) count = static_cast<int64_t>(__builtin_bswap64(static_cast<uint64_t>(count)));
      at += 8;
      const StorageRecord& storage = storages_[found->second];
      if (count != storage.numel)
        fail(path_, "storage '" + io::printable(storage.key) + "' says " + std::to_string(count) +
                        " elements, its tensor " + std::to_string(storage.numel));
      check_storage_size(path_, storage, file_.size - at);
      storage_bytes_[found->second] = {file_.bytes + at, static_cast<uint64_t>(count) * dtype_size(storage.dtype)};
      at += storage_bytes_[found->second].size;
    }
    for (size_t i = 0; i < storages_.size(); ++i)
      if (!storage_bytes_[i].data) fail(path_, "storage '" + io::printable(storages_[i].key) + "' has no bytes");
  }

  // The legacy system-info dict's "little_endian" (true when absent).
  static bool little_endian(const io::pickle::Unpickler& in, io::pickle::Ref info) {
    if (in.at(info).kind != io::pickle::Kind::Dict) in.fail("the legacy format's system info is not a dict");
    const std::vector<io::pickle::Ref>& items = in.at(info).items;
    for (size_t i = 0; i + 1 < items.size(); i += 2)
      if (in.at(items[i]).kind == io::pickle::Kind::String && in.at(items[i]).text == "little_endian")
        return in.as_bool(items[i + 1], "little_endian");
    return true;
  }

  std::string path_;
  detail::MappedFile file_;
  std::map<std::string, TensorRecord> tensors_;
  std::vector<StorageRecord> storages_;
  std::vector<Bytes> storage_bytes_;  // parallel to storages_
  bool big_endian_ = false;
};

// The shards a pytorch_model.bin.index.json names, each opened once, as one source.
class ShardedSource final : public TensorSource {
 public:
  explicit ShardedSource(std::string index_path) : path_(std::move(index_path)) {
    std::map<std::string, std::shared_ptr<const TensorSource>> by_file;
    for (const auto& [tensor, shard] : io::read_weight_map(path_)) {
      auto& source = by_file[shard];
      if (!source) {
        const fs::path file = io::checkpoint_shard_path(path_, tensor, shard);
        std::error_code ignored;
        if (!fs::exists(file, ignored))
          fail(path_, "shard '" + shard + "' (listed for tensor '" + tensor + "') is missing: " + file.string() +
                          " does not exist");
        source = std::make_shared<PyTorchFile>(file.string());
      }
      if (!source->contains(tensor))
        fail(path_, "tensor '" + tensor + "' is listed in shard '" + shard + "', but that file does not hold it");
    }
    // A shard may hold tensors its index does not list; they load too, as in transformers.
    for (const auto& [shard, source] : by_file)
      for (const std::string& name : source->names())
        if (!owner_.emplace(name, source).second)
          fail(path_, "tensor '" + name + "' is in both " + owner_.at(name)->path() + " and " + source->path());
  }

  const std::string& path() const override { return path_; }
  std::vector<std::string> names() const override {
    std::vector<std::string> names;
    for (const auto& entry : owner_) names.push_back(entry.first);
    return names;
  }
  bool contains(const std::string& name) const override { return owner_.count(name) != 0; }
  Tensor get(const std::string& name, DType decode_to) const override { return holder(name).get(name, decode_to); }
  std::optional<DType> stored_dtype(const std::string& name) const override {
    return contains(name) ? holder(name).stored_dtype(name) : std::nullopt;
  }

 private:
  const TensorSource& holder(const std::string& name) const {
    const auto found = owner_.find(name);
    if (found == owner_.end()) fail(path_, "no tensor named '" + name + "' in this checkpoint");
    return *found->second;
  }

  std::string path_;
  std::map<std::string, std::shared_ptr<const TensorSource>> owner_;
};

}  // namespace

std::shared_ptr<const TensorSource> open_checkpoint(const std::string& path) {
  std::error_code ignored;
  fs::path file = path;
  if (fs::is_directory(path, ignored)) {
    file = fs::path(path) / kSingleFileName;
    if (!fs::exists(file, ignored)) file = fs::path(path) / kIndexFileName;
    if (!fs::exists(file, ignored))
      fail(path, std::string("folder holds neither ") + kSingleFileName + " nor " + kIndexFileName);
  } else if (!fs::exists(file, ignored)) {
    fail(path, "no such file or folder");
  }
  if (file.extension() == ".json") return std::make_shared<ShardedSource>(file.string());
  return std::make_shared<PyTorchFile>(file.string());
}

}  // namespace transformers::pytorch
