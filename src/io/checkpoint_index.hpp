#pragma once
// The index of a sharded checkpoint (model.safetensors.index.json, pytorch_model.bin.index.json):
// its "weight_map" from tensor name to shard file, each shard name checked to stay beside the index.
#include <filesystem>
#include <map>
#include <string>

namespace transformers::io {

// tensor name -> shard file name, relative to the index's folder. Throws FileError naming the index
// when it is not JSON, has no "weight_map" object, or names a shard outside its folder.
std::map<std::string, std::string> read_weight_map(const std::string& index_path);

// Where the shard `shard` of `tensor` lives: beside the index; a name that leaves that folder
// ("../x", "/etc/x") is refused.
std::filesystem::path checkpoint_shard_path(const std::string& index_path, const std::string& tensor,
                                            const std::string& shard);

}  // namespace transformers::io
