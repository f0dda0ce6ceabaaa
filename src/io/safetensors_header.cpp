#include "safetensors_header.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <string_view>
#include <tuple>

#include <nlohmann/json.hpp>

#include "safetensors_dtype.hpp"
#include "utf8.hpp"

namespace transformers::safetensors::detail {

namespace {

using nlohmann::json;

static_assert(sizeof(size_t) == sizeof(uint64_t), "offsets in TensorInfo are 64-bit file offsets");

[[noreturn]] void fail(const std::string& path, const std::string& problem) { throw FileError(path + ": " + problem); }

[[noreturn]] void fail_tensor(const std::string& path, const std::string& name, const std::string& problem) {
  fail(path, "tensor '" + name + "': " + problem);
}

// A JSON value as it reads in a message, cut short so a hostile header can't flood the message.
std::string show(const json& value) {
  constexpr size_t kMaxShown = 60;
  std::string text = value.dump();
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown - 3) + "...";
  return text;
}

std::string offsets_str(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

uint64_t read_u64_little_endian(const unsigned char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

// The header bytes, after checking that their length field fits the limit and the file.
std::string_view header_text(const std::string& path, const unsigned char* bytes, uint64_t file_size) {
  if (file_size < 8)
    fail(path, "file is " + std::to_string(file_size) + " bytes, too small to hold the 8-byte header length");
  const uint64_t length = read_u64_little_endian(bytes);
  if (length > kMaxHeaderLength)
    fail(path, "header length " + std::to_string(length) + " exceeds the limit of " + std::to_string(kMaxHeaderLength) +
                   " bytes");
  if (length > file_size - 8)
    fail(path, "header length " + std::to_string(length) + " runs past the end of the file (" +
                   std::to_string(file_size) + " bytes)");
  return {reinterpret_cast<const char*>(bytes + 8), static_cast<size_t>(length)};
}

void check_utf8(const std::string& path, std::string_view text) {
  const size_t bad = transformers::detail::find_invalid_utf8(text);
  if (bad != std::string_view::npos)
    fail(path, "header is not valid UTF-8 (at header byte " + std::to_string(bad) + ")");
}

// nlohmann/json silently keeps the last of duplicate keys; the format forbids duplicates, and a
// duplicated tensor name could hide one tensor's bytes, so every object's keys are tracked.
json parse_rejecting_duplicate_keys(const std::string& path, std::string_view text) {
  std::vector<std::set<std::string>> keys_of_open_objects;
  json::parser_callback_t on_event = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      keys_of_open_objects.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      keys_of_open_objects.pop_back();
    } else if (event == json::parse_event_t::key) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys_of_open_objects.back().insert(key).second) {
        if (keys_of_open_objects.size() == 1) fail(path, "'" + key + "' appears more than once in the header");
        fail(path, "duplicate key '" + key + "' in the header");
      }
    }
    return true;
  };
  // nlohmann/json's lexer takes a NUL byte for the end of input and would accept "{}\0<anything>";
  // JSON allows no raw NUL anywhere (inside strings it must be escaped), so one is refused here.
  const size_t nul = text.find('\0');
  if (nul != std::string_view::npos)
    fail(path, "header is not valid JSON: NUL byte at header byte " + std::to_string(nul));
  try {
    return json::parse(text.begin(), text.end(), on_event);
  } catch (const json::exception& error) {
    fail(path, std::string("header is not valid JSON: ") + error.what());
  }
}

const json& required_field(const std::string& path, const std::string& name, const json& entry, const char* key) {
  auto found = entry.find(key);
  if (found == entry.end()) fail_tensor(path, name, std::string("missing key \"") + key + "\"");
  return *found;
}

void check_entry_keys(const std::string& path, const std::string& name, const json& entry) {
  if (!entry.is_object())
    fail_tensor(path, name, "entry is " + show(entry) + ", not an object with dtype, shape and data_offsets");
  for (const auto& field : entry.items()) {
    const std::string& key = field.key();
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      fail_tensor(path, name, "unexpected key '" + key + "' (an entry holds only dtype, shape and data_offsets)");
  }
}

const FileDType& read_dtype(const std::string& path, const std::string& name, const json& value) {
  if (!value.is_string()) fail_tensor(path, name, "dtype must be a string, found " + show(value));
  const FileDType* type = find_file_dtype(value.get_ref<const std::string&>());
  if (!type) fail_tensor(path, name, "unknown dtype " + show(value));
  return *type;
}

// A JSON integer >= 0, as Rust's usize accepts: no floats ("2.0"), no negatives, no overflow
// (nlohmann turns integers past 2^64 into floats, so those are refused here too).
bool is_unsigned_integer(const json& value) { return value.is_number_unsigned(); }

Shape read_shape(const std::string& path, const std::string& name, const json& value) {
  if (!value.is_array())
    fail_tensor(path, name, "shape must be an array of non-negative integers, found " + show(value));
  Shape shape;
  for (const json& dim : value) {
    if (!is_unsigned_integer(dim))
      fail_tensor(path, name, "shape entry " + show(dim) + " is not a non-negative integer");
    const auto size = dim.get<uint64_t>();
    if (size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail_tensor(path, name, "shape entry " + std::to_string(size) + " is too large for a tensor dimension");
    shape.push_back(static_cast<int64_t>(size));
  }
  return shape;
}

void read_offsets(const std::string& path, TensorInfo& info, const json& value) {
  const bool well_formed =
      value.is_array() && value.size() == 2 && is_unsigned_integer(value[0]) && is_unsigned_integer(value[1]);
  if (!well_formed)
    fail_tensor(path, info.name, "data_offsets must be [begin, end] with non-negative integers, found " + show(value));
  info.begin = value[0].get<uint64_t>();
  info.end = value[1].get<uint64_t>();
  if (info.end < info.begin)
    fail_tensor(path, info.name, "data_offsets " + offsets_str(info.begin, info.end) + " end before they begin");
}

// Π shape × bits / 8 with every product checked, in the reference reader's order (left to right,
// so [2^40, 2^40, 0] overflows although it holds no element).
uint64_t checked_byte_size(const std::string& path, const TensorInfo& info, const FileDType& type) {
  uint64_t elements = 1;
  for (int64_t dim : info.shape)
    if (__builtin_mul_overflow(elements, static_cast<uint64_t>(dim), &elements))
      fail_tensor(path, info.name, "shape " + shape_str(info.shape) + " has an element count that overflows 64 bits");
  uint64_t bits = 0;
  if (__builtin_mul_overflow(elements, static_cast<uint64_t>(type.bits), &bits))
    fail_tensor(path, info.name,
                "shape " + shape_str(info.shape) + " of " + info.dtype + " has a size in bits that overflows 64 bits");
  if (bits % 8 != 0)
    fail_tensor(path, info.name,
                "shape " + shape_str(info.shape) + " of " + info.dtype + " is " + std::to_string(bits) +
                    " bits, not a whole number of bytes");
  return bits / 8;
}

TensorInfo read_entry(const std::string& path, const std::string& name, const json& entry) {
  check_entry_keys(path, name, entry);
  TensorInfo info;
  info.name = name;
  const FileDType& type = read_dtype(path, name, required_field(path, name, entry, "dtype"));
  info.dtype = std::string(type.name);
  info.shape = read_shape(path, name, required_field(path, name, entry, "shape"));
  read_offsets(path, info, required_field(path, name, entry, "data_offsets"));
  const uint64_t needed = checked_byte_size(path, info, type);
  const uint64_t held = info.end - info.begin;
  if (held != needed)
    fail_tensor(path, name,
                "data_offsets " + offsets_str(info.begin, info.end) + " hold " + std::to_string(held) +
                    " bytes but shape " + shape_str(info.shape) + " of " + info.dtype + " needs " +
                    std::to_string(needed));
  return info;
}

std::map<std::string, std::string> read_metadata(const std::string& path, const json& value) {
  if (!value.is_object()) fail(path, "__metadata__ must be an object of strings, found " + show(value));
  std::map<std::string, std::string> metadata;
  for (const auto& field : value.items()) {
    if (!field.value().is_string())
      fail(path, "__metadata__ value for '" + field.key() + "' must be a string, found " + show(field.value()));
    metadata.emplace(field.key(), field.value().get<std::string>());
  }
  return metadata;
}

// The data buffer must be exactly the tensors' bytes back to back from 0: no gaps, no overlaps,
// nothing after the last tensor (so no other content can hide in the file).
void check_layout(const std::string& path, std::vector<TensorInfo>& tensors, uint64_t data_size) {
  std::sort(tensors.begin(), tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  uint64_t expected_begin = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& tensor : tensors) {
    const std::string offsets = offsets_str(tensor.begin, tensor.end);
    if (!previous && tensor.begin != 0)
      fail_tensor(path, tensor.name, "data_offsets " + offsets + " do not start at 0, where the data buffer begins");
    if (previous && tensor.begin > expected_begin)
      fail_tensor(path, tensor.name,
                  "data_offsets " + offsets + " leave a gap of " + std::to_string(tensor.begin - expected_begin) +
                      " bytes after tensor '" + previous->name + "', which ends at " + std::to_string(expected_begin));
    if (previous && tensor.begin < expected_begin)
      fail_tensor(path, tensor.name,
                  "data_offsets " + offsets + " overlap tensor '" + previous->name + "', which ends at " +
                      std::to_string(expected_begin));
    expected_begin = tensor.end;
    previous = &tensor;
  }
  if (expected_begin > data_size)
    fail_tensor(path, previous->name,
                "data_offsets " + offsets_str(previous->begin, previous->end) +
                    " run past the data buffer, which holds only " + std::to_string(data_size) +
                    " bytes (the file is truncated)");
  if (expected_begin < data_size)
    fail(path, std::to_string(data_size - expected_begin) + " trailing bytes after the last tensor's data");
}

}  // namespace

Header read_header(const std::string& path, const unsigned char* bytes, uint64_t file_size) {
  const std::string_view text = header_text(path, bytes, file_size);
  check_utf8(path, text);
  const json document = parse_rejecting_duplicate_keys(path, text);
  if (!document.is_object()) fail(path, std::string("header is a JSON ") + document.type_name() + ", not an object");

  Header header;
  header.data_start = 8 + text.size();
  for (const auto& field : document.items()) {
    if (field.key() == "__metadata__") {
      header.metadata = read_metadata(path, field.value());
    } else {
      header.tensors.push_back(read_entry(path, field.key(), field.value()));
    }
  }
  check_layout(path, header.tensors, file_size - header.data_start);
  return header;
}

}  // namespace transformers::safetensors::detail
