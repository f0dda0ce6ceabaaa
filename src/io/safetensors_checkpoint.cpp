// safetensors::Checkpoint: one file, or the shards an index names, seen as one set of tensors.
#include <filesystem>

#include "checkpoint_index.hpp"
#include "transformers/io/safetensors.hpp"

namespace transformers::safetensors {

namespace {

namespace fs = std::filesystem;
using io::checkpoint_shard_path;
using io::read_weight_map;

constexpr const char* kSingleFileName = "model.safetensors";
constexpr const char* kIndexFileName = "model.safetensors.index.json";

[[noreturn]] void fail(const std::string& path, const std::string& problem) { throw FileError(path + ": " + problem); }

bool path_exists(const fs::path& path) {
  std::error_code ignored;
  return fs::exists(path, ignored);
}

bool is_index_path(const std::string& path) { return fs::path(path).extension() == ".json"; }

// The weights file a checkpoint path stands for: the path itself, or what its folder holds.
std::string weights_file(const std::string& path) {
  std::error_code ignored;
  if (!fs::is_directory(path, ignored)) {
    if (!path_exists(path)) fail(path, "no such file or folder");
    return path;
  }
  for (const char* candidate : {kSingleFileName, kIndexFileName}) {
    const fs::path file = fs::path(path) / candidate;
    if (path_exists(file)) return file.string();
  }
  fail(path, std::string("folder holds neither ") + kSingleFileName + " nor " + kIndexFileName);
}

std::shared_ptr<File> open_shard(const std::string& index_path, const std::string& shard,
                                 const std::string& first_tensor) {
  const fs::path shard_path = checkpoint_shard_path(index_path, first_tensor, shard);
  if (!path_exists(shard_path))
    fail(index_path, "shard '" + shard + "' (listed for tensor '" + first_tensor +
                         "') is missing: " + shard_path.string() + " does not exist");
  return File::open(shard_path.string());
}

// Each shard opened once, by shard name.
std::map<std::string, std::shared_ptr<File>> open_shards(const std::string& index_path,
                                                         const std::map<std::string, std::string>& shard_of) {
  std::map<std::string, std::shared_ptr<File>> shards;
  for (const auto& [tensor, shard] : shard_of)
    if (!shards.count(shard)) shards.emplace(shard, open_shard(index_path, shard, tensor));
  return shards;
}

void check_index_lists_real_tensors(const std::string& index_path, const std::map<std::string, std::string>& shard_of,
                                    const std::map<std::string, std::shared_ptr<File>>& shards) {
  for (const auto& [tensor, shard] : shard_of)
    if (!shards.at(shard)->contains(tensor))
      fail(index_path, "tensor '" + tensor + "' is listed in shard '" + shard + "', but that file does not hold it");
}

}  // namespace

Checkpoint Checkpoint::open(const std::string& path) {
  Checkpoint checkpoint;
  checkpoint.path_ = path;
  const std::string weights = weights_file(path);
  if (!is_index_path(weights)) {
    checkpoint.add_file(File::open(weights));
    return checkpoint;
  }
  const std::map<std::string, std::string> shard_of = read_weight_map(weights);
  const std::map<std::string, std::shared_ptr<File>> shards = open_shards(weights, shard_of);
  check_index_lists_real_tensors(weights, shard_of, shards);
  // A shard may hold tensors its index does not list; they are part of the checkpoint too, as
  // transformers loads whole shards.
  for (const auto& [name, file] : shards) checkpoint.add_file(file);
  return checkpoint;
}

void Checkpoint::add_file(std::shared_ptr<File> file) {
  const size_t index = files_.size();
  for (const std::string& name : file->names()) {
    auto [existing, added] = owner_.emplace(name, index);
    if (!added)
      fail(path_, "tensor '" + name + "' is in both " + files_[existing->second]->path() + " and " + file->path());
  }
  files_.push_back(std::move(file));
}

const File& Checkpoint::file_holding(const std::string& name) const {
  auto found = owner_.find(name);
  if (found == owner_.end()) fail(path_, "no tensor named '" + name + "' in this checkpoint");
  return *files_[found->second];
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> names;
  names.reserve(owner_.size());
  for (const auto& entry : owner_) names.push_back(entry.first);
  return names;
}

Tensor Checkpoint::get(const std::string& name) const { return file_holding(name).get(name); }

const TensorInfo& Checkpoint::info(const std::string& name) const { return file_holding(name).info(name); }

}  // namespace transformers::safetensors
