#pragma once
// The entries of an uncompressed ("stored") zip archive held in memory, as torch.save writes its
// checkpoints: every offset and size read from the file is checked against the file's size before
// it is used, zip64 records included, and compressed or encrypted entries are refused by name.
// CRCs are not checked (a checkpoint of several GiB would be read twice; safetensors has none).
#include <cstdint>
#include <map>
#include <string>

namespace transformers::io {

struct ZipEntry {
  uint64_t offset = 0;  // of the entry's bytes, from the start of the archive
  uint64_t size = 0;
};

// The entries of the archive `bytes[0, size)`, by name. Throws FileError naming `path` and the
// problem (no end-of-central-directory record, an entry past the end, a compressed entry, ...).
std::map<std::string, ZipEntry> read_stored_zip(const unsigned char* bytes, uint64_t size, const std::string& path);

// Whether `bytes` begin as a zip archive does (a local file header).
bool looks_like_zip(const unsigned char* bytes, uint64_t size);

}  // namespace transformers::io
