#pragma once
// Paths built from names that come from outside the program — a Hub listing, a revision, an ETag, an
// index.json's shard names, a modules.json "path" — are checked here before any file system call, so a
// lying server or a crafted model folder can neither write nor read outside the folder it belongs to.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace transformers::io {

// Why `name` is not a safe relative path below a folder, or nullopt when it is. Safe means: not empty,
// not absolute, '/'-separated segments that are neither empty, "." nor "..", no backslash, no control
// character (NUL, newline, ...), no segment over 255 bytes, at most 4096 bytes in all; and the same
// holds after percent-decoding ("%2e%2e", "..%2F" are refused), since some layer may decode it.
std::optional<std::string> relative_path_problem(std::string_view name);

// `folder / name` once `name` passed relative_path_problem; else FileError naming `what` (for
// example "shard of tensor 'w' in /m/model.safetensors.index.json"), the value and the reason.
std::filesystem::path join_inside(const std::filesystem::path& folder, std::string_view name, std::string_view what);

// Whether `path` (which need not exist) lands inside `root` once the symlinks of its existing parent
// folders are followed (the last component itself is not followed: a symlink there is replaced or
// deleted, never written through).
bool stays_inside(const std::filesystem::path& root, const std::filesystem::path& path);

// `name` with control characters and backslashes written as \n, \x00, ... so that an error
// message shows exactly what was refused (a NUL would otherwise cut the message short).
std::string printable(std::string_view name);

// For writing: throws FileError unless `path` (which need not exist) resolves, through every symlink
// among its existing parent folders, to a place inside `root` (which must exist). A parent folder that
// is a symlink leading out of `root` is refused, so a write never lands outside it.
void check_stays_inside(const std::filesystem::path& root, const std::filesystem::path& path, std::string_view what);

}  // namespace transformers::io
