// Reading a sharded checkpoint's index (see checkpoint_index.hpp).
#include "checkpoint_index.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "transformers/core/json_nesting.hpp"
#include "transformers/core/error.hpp"
#include "transformers/io/safe_path.hpp"

namespace transformers::io {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& problem) { throw FileError(path + ": " + problem); }

json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check_json_nesting(text, path);
  try {
    return json::parse(text);
  } catch (const json::exception& error) {
    fail(path, std::string("not valid JSON: ") + error.what());
  }
}

}  // namespace

std::filesystem::path checkpoint_shard_path(const std::string& index_path, const std::string& tensor,
                                            const std::string& shard) {
  return join_inside(std::filesystem::path(index_path).parent_path(), shard,
                     index_path + ": the shard of tensor '" + tensor + "'");
}

std::map<std::string, std::string> read_weight_map(const std::string& index_path) {
  const json index = read_json(index_path);
  const auto weight_map = index.is_object() ? index.find("weight_map") : index.end();
  if (!index.is_object() || weight_map == index.end() || !weight_map->is_object())
    fail(index_path, "expected an object with \"weight_map\": {tensor name: shard file}");
  std::map<std::string, std::string> shard_of;
  for (const auto& field : weight_map->items()) {
    if (!field.value().is_string())
      fail(index_path, "weight_map entry for tensor '" + field.key() + "' must be a shard file name, found " +
                           field.value().dump());
    const auto& shard = field.value().get_ref<const std::string&>();
    checkpoint_shard_path(index_path, field.key(), shard);  // refused here, before any shard is opened
    shard_of.emplace(field.key(), shard);
  }
  return shard_of;
}

}  // namespace transformers::io
