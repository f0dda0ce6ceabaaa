// Checks for paths made from outside names (see safe_path.hpp).
#include "transformers/io/safe_path.hpp"

#include "transformers/core/error.hpp"

namespace transformers::io {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxSegment = 255;  // NAME_MAX on Linux file systems
constexpr size_t kMaxName = 4096;    // PATH_MAX

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Every %XX replaced by its byte; a '%' not followed by two hex digits stays as it is.
std::string percent_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::optional<std::string> plain_problem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > kMaxName) return "it is longer than " + std::to_string(kMaxName) + " bytes";
  if (name.front() == '/') return "it is an absolute path";
  for (unsigned char c : name) {
    if (c == '\\') return "it contains a backslash";
    if (c < 0x20 || c == 0x7f) return "it contains a control character (byte " + std::to_string(int(c)) + ")";
  }
  for (size_t start = 0; start <= name.size();) {
    size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    const std::string_view segment = name.substr(start, slash - start);
    if (segment.empty()) return std::string("it has an empty path segment ('//' or a trailing '/')");
    if (segment == "." || segment == "..") return "it has a '" + std::string(segment) + "' segment";
    if (segment.size() > kMaxSegment) return "a segment is longer than " + std::to_string(kMaxSegment) + " bytes";
    start = slash + 1;
  }
  return std::nullopt;
}

// Whether `path` is `folder` or lies below it (both absolute and normalized).
bool has_prefix(const fs::path& path, const fs::path& folder) {
  auto text = [](const fs::path& p) {
    std::string s = p.lexically_normal().generic_string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
  };
  const std::string inner = text(path), outer = text(folder);
  if (outer == "/") return true;
  return inner == outer || inner.rfind(outer + "/", 0) == 0;
}

}  // namespace

std::optional<std::string> relative_path_problem(std::string_view name) {
  if (auto problem = plain_problem(name)) return problem;
  const std::string decoded = percent_decoded(name);
  if (decoded != name) {
    if (auto problem = plain_problem(decoded)) return "once percent-decoded ('" + printable(decoded) + "') " + *problem;
  }
  return std::nullopt;
}

fs::path join_inside(const fs::path& folder, std::string_view name, std::string_view what) {
  if (auto problem = relative_path_problem(name)) {
    throw FileError(std::string(what) + " '" + printable(name) + "' is refused: " + *problem +
                    "; only a relative path inside '" + folder.string() + "' is allowed");
  }
  return folder / fs::path(name);
}

bool stays_inside(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  const fs::path real_root = fs::weakly_canonical(fs::absolute(root), ec);
  if (ec) return false;
  const fs::path real_parent = fs::weakly_canonical(fs::absolute(path).parent_path(), ec);
  return !ec && has_prefix(real_parent, real_root);
}

std::string printable(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      static const char digits[] = "0123456789abcdef";
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void check_stays_inside(const fs::path& root, const fs::path& path, std::string_view what) {
  // The parent folder decides where a new entry lands (the entry itself may be a symlink that is
  // replaced, never followed); weakly_canonical follows the symlinks of the part that exists.
  if (stays_inside(root, path)) return;
  std::error_code ec;
  const fs::path real_parent = fs::weakly_canonical(fs::absolute(path).parent_path(), ec);
  throw FileError(std::string(what) + ": '" + path.string() + "' would land in '" + real_parent.string() +
                  "', outside '" + root.string() + "' (a parent folder is a symlink that leaves it); refused");
}

}  // namespace transformers::io
