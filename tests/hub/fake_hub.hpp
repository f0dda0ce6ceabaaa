#pragma once
// A fake Hugging Face Hub on a loopback port for the download tests: it serves repos' files at
// /{repo}/resolve/{revision}/{file} with the Hub's headers (X-Repo-Commit, ETag, X-Linked-Etag,
// X-Linked-Size, Location, X-Error-Code), the file list at /api/models/{repo}/revision/{revision}, counts
// every request, and misbehaves on demand.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hub_test {

struct LoggedRequest {
  std::string method, path, range, authorization;
};

enum class Fault {
  drop_midway,   // sends half of the bytes, then closes the connection
  wrong_bytes,   // sends the right number of bytes, every one of them wrong
  server_error,  // answers 500
  stall,         // sends half of the bytes, then nothing for 3 s
};

class FakeHub {
 public:
  FakeHub();
  ~FakeHub();
  FakeHub(const FakeHub&) = delete;
  FakeHub& operator=(const FakeHub&) = delete;

  std::string endpoint() const;  // "http://127.0.0.1:<port>"

  // A file of `repo` at its commit (branch "main"; the tag "v1.0" too). LFS files get the sha256 as
  // X-Linked-Etag; others a 40-hex git-like etag.
  void add_file(const std::string& repo, const std::string& filename, const std::string& content, bool lfs);
  void set_commit(const std::string& repo, const std::string& commit);
  std::string commit(const std::string& repo) const;
  // A lying Hub: `name` is listed once more in the repo's file list (whether or not it has content), and
  // `filename` is answered with this ETag instead of its real one.
  void list_extra(const std::string& repo, const std::string& name);
  void set_etag(const std::string& repo, const std::string& filename, const std::string& etag);
  // Access rules: a private repo needs "Authorization: Bearer <token>" (else 401 RepoNotFound), a gated one
  // too (else 403 GatedRepo).
  void make_private(const std::string& repo, const std::string& token);
  void make_gated(const std::string& repo, const std::string& token);
  // Requests for `old_repo` answer 307 with a relative Location to `new_repo` (a renamed repo).
  void rename(const std::string& old_repo, const std::string& new_repo);
  // LFS files answer 302 with an absolute Location on `cdn` (another loopback server), which then serves the
  // bytes at /cdn/<sha256>.
  void redirect_lfs_to(FakeHub& cdn);
  // The next `times` GETs of `filename` (any repo) misbehave.
  void fail_next_gets(const std::string& filename, Fault fault, int times = 1);
  // The next `times` HEADs of `filename` answer 500.
  void fail_next_heads(const std::string& filename, int times);

  size_t request_count() const;
  std::vector<LoggedRequest> requests() const;
  size_t count(const std::string& method, const std::string& path_part) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub_test
