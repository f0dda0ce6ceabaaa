// Reading the central directory of a stored zip archive (see zip_archive.hpp). The layout is
// PKWARE's APPNOTE: an end-of-central-directory record at the end (after an optional comment), for
// large archives a zip64 locator and record before it, then one central header per entry that
// points at the entry's local header, after which its bytes follow.
#include "zip_archive.hpp"

#include <algorithm>
#include <optional>

#include "transformers/core/error.hpp"
#include "transformers/io/safe_path.hpp"

namespace transformers::io {

namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kZip64EndOfCentralDirectory = 0x06064b50;
constexpr uint16_t kZip64ExtraField = 0x0001;
constexpr uint64_t kEndRecordSize = 22, kZip64LocatorSize = 20, kZip64EndSize = 56;
constexpr uint64_t kCentralHeaderSize = 46, kLocalHeaderSize = 30, kMaxComment = 0xffff;

// Bounds-checked little-endian reads from the archive.
class Reader {
 public:
  Reader(const unsigned char* bytes, uint64_t size, const std::string& path)
      : bytes_(bytes), size_(size), path_(path) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw FileError(path_ + ": not a readable zip archive (as torch.save writes): " + problem);
  }
  void need(uint64_t offset, uint64_t count, const char* what) const {
    if (offset > size_ || count > size_ - offset)
      fail(std::string(what) + " at byte " + std::to_string(offset) + " runs past the end of the file (" +
           std::to_string(size_) + " bytes)");
  }
  uint64_t le(uint64_t offset, int count, const char* what) const {
    need(offset, static_cast<uint64_t>(count), what);
    uint64_t value = 0;
    for (int i = count - 1; i >= 0; --i) value = (value << 8) | bytes_[offset + static_cast<uint64_t>(i)];
    return value;
  }
  uint16_t u16(uint64_t offset, const char* what) const { return static_cast<uint16_t>(le(offset, 2, what)); }
  uint32_t u32(uint64_t offset, const char* what) const { return static_cast<uint32_t>(le(offset, 4, what)); }
  uint64_t u64(uint64_t offset, const char* what) const { return le(offset, 8, what); }
  std::string text(uint64_t offset, uint64_t count, const char* what) const {
    need(offset, count, what);
    return std::string(reinterpret_cast<const char*>(bytes_ + offset), count);
  }
  uint64_t size() const { return size_; }

 private:
  const unsigned char* bytes_;
  uint64_t size_;
  const std::string& path_;
};

struct Directory {
  uint64_t entries = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// The end-of-central-directory record: the last place its signature appears within the final
// 22 + 65535 bytes (a comment may follow it).
uint64_t find_end_record(const Reader& in) {
  if (in.size() < kEndRecordSize) in.fail("shorter than an end-of-central-directory record");
  const uint64_t lowest = in.size() - kEndRecordSize > kMaxComment ? in.size() - kEndRecordSize - kMaxComment : 0;
  for (uint64_t at = in.size() - kEndRecordSize + 1; at-- > lowest;)
    if (in.u32(at, "end record") == kEndOfCentralDirectory) return at;
  in.fail("no end-of-central-directory record");
}

Directory read_directory(const Reader& in) {
  const uint64_t end = find_end_record(in);
  if (in.u16(end + 4, "end record") != 0 || in.u16(end + 6, "end record") != 0)
    in.fail("multi-disk archives are not read");
  Directory directory{in.u16(end + 10, "end record"), in.u32(end + 16, "end record"), in.u32(end + 12, "end record")};
  const bool zip64 = directory.entries == 0xffff || directory.offset == 0xffffffff || directory.size == 0xffffffff;
  if (!zip64) return directory;
  if (end < kZip64LocatorSize || in.u32(end - kZip64LocatorSize, "zip64 locator") != kZip64Locator)
    in.fail("the end record says zip64 but no zip64 locator precedes it");
  const uint64_t record = in.u64(end - kZip64LocatorSize + 8, "zip64 locator");
  in.need(record, kZip64EndSize, "zip64 end record");
  if (in.u32(record, "zip64 end record") != kZip64EndOfCentralDirectory)
    in.fail("the zip64 locator points at byte " + std::to_string(record) + ", which holds no zip64 end record");
  return {in.u64(record + 32, "zip64 end record"), in.u64(record + 48, "zip64 end record"),
          in.u64(record + 40, "zip64 end record")};
}

// The zip64 extra field of a central header replaces, in this order, those of the uncompressed
// size, compressed size and local header offset that were written as 0xffffffff.
void apply_zip64_extra(const Reader& in, uint64_t extra, uint64_t extra_size, uint64_t& uncompressed,
                       uint64_t& compressed, uint64_t& local_offset) {
  for (uint64_t at = extra; at + 4 <= extra + extra_size;) {
    const uint16_t id = in.u16(at, "extra field"), length = in.u16(at + 2, "extra field");
    const uint64_t body = at + 4;
    if (body + length > extra + extra_size) in.fail("an extra field runs past its central header");
    if (id == kZip64ExtraField) {
      uint64_t next = body;
      for (uint64_t* field : {&uncompressed, &compressed, &local_offset}) {
        if (*field != 0xffffffff) continue;
        if (next + 8 > body + length) in.fail("a zip64 extra field is shorter than the sizes it replaces");
        *field = in.u64(next, "zip64 extra field");
        next += 8;
      }
      return;
    }
    at = body + length;
  }
}

// Central header at `at` -> (name, entry); `at` moves past it.
std::pair<std::string, ZipEntry> read_central_header(const Reader& in, uint64_t& at) {
  if (in.u32(at, "central header") != kCentralHeader)
    in.fail("no central directory header at byte " + std::to_string(at));
  const uint16_t flags = in.u16(at + 8, "central header"), method = in.u16(at + 10, "central header");
  uint64_t compressed = in.u32(at + 20, "central header"), uncompressed = in.u32(at + 24, "central header");
  const uint64_t name_size = in.u16(at + 28, "central header"), extra_size = in.u16(at + 30, "central header");
  const uint64_t comment_size = in.u16(at + 32, "central header");
  uint64_t local = in.u32(at + 42, "central header");
  std::string name = in.text(at + kCentralHeaderSize, name_size, "entry name");
  apply_zip64_extra(in, at + kCentralHeaderSize + name_size, extra_size, uncompressed, compressed, local);
  in.need(at + kCentralHeaderSize + name_size + extra_size, comment_size, "entry comment");
  at += kCentralHeaderSize + name_size + extra_size + comment_size;
  const std::string shown = "entry '" + printable(name) + "'";
  if (flags & 1) in.fail(shown + " is encrypted");
  if (method != 0) in.fail(shown + " is compressed (method " + std::to_string(method) + "); torch.save stores entries");
  if (compressed != uncompressed) in.fail(shown + " is stored but its two sizes differ");
  if (in.u32(local, "local header") != kLocalHeader)
    in.fail(shown + ": no local header at byte " + std::to_string(local));
  const uint64_t data =
      local + kLocalHeaderSize + in.u16(local + 26, "local header") + in.u16(local + 28, "local header");
  in.need(data, uncompressed, (shown + "'s bytes").c_str());
  return {std::move(name), ZipEntry{data, uncompressed}};
}

}  // namespace

bool looks_like_zip(const unsigned char* bytes, uint64_t size) {
  return size >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
}

std::map<std::string, ZipEntry> read_stored_zip(const unsigned char* bytes, uint64_t size, const std::string& path) {
  const Reader in(bytes, size, path);
  const Directory directory = read_directory(in);
  in.need(directory.offset, directory.size, "central directory");
  // Each central header takes at least 46 bytes, so a lying entry count ends at the directory's end.
  if (directory.entries > directory.size / kCentralHeaderSize)
    in.fail(std::to_string(directory.entries) + " entries cannot fit in a central directory of " +
            std::to_string(directory.size) + " bytes");
  std::map<std::string, ZipEntry> entries;
  uint64_t at = directory.offset;
  for (uint64_t i = 0; i < directory.entries; ++i) {
    auto [name, entry] = read_central_header(in, at);
    if (at > directory.offset + directory.size) in.fail("the central directory runs past its stated size");
    if (!entries.emplace(name, entry).second) in.fail("entry '" + printable(name) + "' appears twice");
  }
  return entries;
}

}  // namespace transformers::io
