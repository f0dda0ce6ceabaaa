// bench_tokenizers: encode throughput of a tokenizer.json over a text file, one line at a time,
// and the load time / resident memory of synthetic 250k-vocabulary tokenizers. See README.md;
// benchmarks/bench_tokenizers.py runs it next to Hugging Face `tokenizers` and checks the ids.
//
//   bench_tokenizers encode --tokenizer PATH --input FILE [--threads N] [--repeat R]
//                           [--chunk LINES] [--ids-out PATH] [--ids-lines N] [--json PATH]
//   bench_tokenizers load [--vocab N] [--dir DIR] [--json PATH]
//
// encode: the lines of FILE (without their '\n'; empty lines skipped) are encoded R times (default
// 3) in three ways, each reported as MB/s of input text over the median pass:
//   per-line    Tokenizer::encode on each line in turn, the result dropped (1 thread)
//   batch       Tokenizer::encode_batch on chunks of --chunk lines (default 1024), 1 thread
//   threads     --threads N std::threads (default 2) sharing ONE const Tokenizer, taking chunks
//               of --chunk lines from an atomic counter; each chunk's encodings are kept until
//               the chunk is done, as a batch call's result would be
// --ids-out writes the ids of the first --ids-lines lines (default 2000), one line of
// space-separated ids per input line, for the parity check of bench_tokenizers.py.
//
// load: writes a Unigram tokenizer.json with N pieces and scores (XLM-R-like: Metaspace, a
// <s> $A </s> template) and a byte-level BPE with N merges into DIR (default: a fresh temp dir),
// then loads each in a fresh child process (this binary, `load-one PATH`) and reports the time of
// Tokenizer::from_file (first load and median of 5 more), the growth of resident memory
// (/proc/self/statm) over the first load (what the Tokenizer holds: loading hands its temporary
// memory back) and the peak RSS (VmHWM).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/tokenizers/tokenizer.hpp"

namespace {

using transformers::tokenizers::Encoding;
using transformers::tokenizers::Tokenizer;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "bench_tokenizers: %s\n", message.c_str());
  std::exit(2);
}

// ---------------------------------------------------------------------------------------------
// encode

struct EncodeOptions {
  std::string tokenizer, input, ids_out, json_path;
  int threads = 2;
  int repeat = 3;
  size_t chunk = 1024;
  size_t ids_lines = 2000;
};

struct EncodeResult {
  std::string mode;
  int threads;
  std::vector<double> seconds;  // one per pass
  double mb_per_s = 0;
};

std::vector<std::string> read_lines(const std::string& path, size_t& bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) fail("cannot open " + path);
  std::vector<std::string> lines;
  bytes = 0;
  for (std::string line; std::getline(file, line);) {
    if (line.empty()) continue;
    bytes += line.size();
    lines.push_back(std::move(line));
  }
  return lines;
}

// Keeps the compiler from dropping work whose result is unused.
std::atomic<uint64_t> g_sink{0};

double pass_per_line(const Tokenizer& tokenizer, const std::vector<std::string>& lines) {
  const auto start = Clock::now();
  uint64_t tokens = 0;
  for (const std::string& line : lines) tokens += tokenizer.encode(line).size();
  const double seconds = seconds_since(start);
  g_sink += tokens;
  return seconds;
}

double pass_batch(const Tokenizer& tokenizer, const std::vector<std::string>& lines, size_t chunk) {
  const auto start = Clock::now();
  uint64_t tokens = 0;
  std::vector<std::string> batch;
  for (size_t begin = 0; begin < lines.size(); begin += chunk) {
    const size_t end = std::min(lines.size(), begin + chunk);
    batch.assign(lines.begin() + static_cast<std::ptrdiff_t>(begin), lines.begin() + static_cast<std::ptrdiff_t>(end));
    for (const Encoding& encoding : tokenizer.encode_batch(batch)) tokens += encoding.size();
  }
  const double seconds = seconds_since(start);
  g_sink += tokens;
  return seconds;
}

double pass_threads(const Tokenizer& tokenizer, const std::vector<std::string>& lines, size_t chunk, int threads) {
  std::atomic<size_t> next{0};
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      uint64_t tokens = 0;
      std::vector<Encoding> encodings;
      for (;;) {
        const size_t begin = next.fetch_add(chunk);
        if (begin >= lines.size()) break;
        const size_t end = std::min(lines.size(), begin + chunk);
        encodings.clear();
        for (size_t i = begin; i < end; ++i) encodings.push_back(tokenizer.encode(lines[i]));
        for (const Encoding& encoding : encodings) tokens += encoding.size();
      }
      g_sink += tokens;
    });
  }
  for (std::thread& worker : workers) worker.join();
  return seconds_since(start);
}

int run_encode(const EncodeOptions& options) {
  if (options.tokenizer.empty() || options.input.empty()) fail("encode needs --tokenizer and --input");
  const Tokenizer tokenizer = Tokenizer::from_file(options.tokenizer);
  size_t bytes = 0;
  const std::vector<std::string> lines = read_lines(options.input, bytes);

  if (!options.ids_out.empty()) {
    std::ofstream out(options.ids_out);
    for (size_t i = 0; i < std::min(options.ids_lines, lines.size()); ++i) {
      const Encoding encoding = tokenizer.encode(lines[i]);
      for (size_t k = 0; k < encoding.ids.size(); ++k) out << (k ? " " : "") << encoding.ids[k];
      out << '\n';
    }
  }

  pass_per_line(tokenizer,
                std::vector<std::string>(lines.begin(), lines.begin() + std::min<size_t>(lines.size(), 2000)));
  std::vector<EncodeResult> results{{"per-line", 1, {}, 0}, {"batch", 1, {}, 0}, {"threads", options.threads, {}, 0}};
  // Interleaved, as bench_kernels does: a burst of load from elsewhere hits every mode alike.
  for (int r = 0; r < options.repeat; ++r) {
    results[0].seconds.push_back(pass_per_line(tokenizer, lines));
    results[1].seconds.push_back(pass_batch(tokenizer, lines, options.chunk));
    results[2].seconds.push_back(pass_threads(tokenizer, lines, options.chunk, options.threads));
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%s: %zu lines, %.2f MB\n", options.tokenizer.c_str(), lines.size(), mb);
  std::printf("%-10s %7s %10s %10s %8s\n", "mode", "threads", "median s", "min s", "MB/s");
  json doc = json::array();
  for (EncodeResult& result : results) {
    const double mid = median(result.seconds);
    result.mb_per_s = mb / mid;
    std::printf("%-10s %7d %10.3f %10.3f %8.2f\n", result.mode.c_str(), result.threads, mid,
                *std::min_element(result.seconds.begin(), result.seconds.end()), result.mb_per_s);
    doc.push_back({{"tokenizer", options.tokenizer},
                   {"mode", result.mode},
                   {"threads", result.threads},
                   {"seconds", result.seconds},
                   {"median_s", mid},
                   {"mb_per_s", result.mb_per_s},
                   {"bytes", bytes},
                   {"lines", lines.size()}});
  }
  if (!options.json_path.empty()) std::ofstream(options.json_path) << doc.dump(1) << '\n';
  return 0;
}

// ---------------------------------------------------------------------------------------------
// load: synthetic 250k-vocabulary tokenizers

// Resident set size in bytes (second field of /proc/self/statm, in pages).
size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

json special_token(int64_t id, const std::string& content) {
  return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
          {"rstrip", false}, {"normalized", false}, {"special", true}};
}

// Like XLM-R's: pieces "▁word" and word pieces over Latin, accented Latin, Cyrillic and CJK
// letters, log-probability scores, Metaspace, "<s> $A </s>".
json synthetic_unigram(size_t vocab, std::mt19937_64& rng) {
  const std::vector<std::pair<uint32_t, uint32_t>> alphabets{{'a', 'z'},   {'a', 'z'},     {'a', 'z'},
                                                             {0xE0, 0xFF}, {0x430, 0x44F}, {0x4E00, 0x4FFF}};
  std::vector<std::string> pieces{"<s>", "<pad>", "</s>", "<unk>"};
  std::unordered_set<std::string> seen(pieces.begin(), pieces.end());
  while (pieces.size() < vocab) {
    const auto& [lo, hi] = alphabets[rng() % alphabets.size()];
    const size_t length = lo >= 0x4E00 ? 1 + rng() % 3 : 1 + rng() % 9;
    std::string piece = rng() % 2 ? "\xE2\x96\x81" : "";  // "▁"
    for (size_t i = 0; i < length; ++i) append_utf8(piece, lo + static_cast<uint32_t>(rng() % (hi - lo + 1)));
    if (seen.insert(piece).second) pieces.push_back(std::move(piece));
  }
  json entries = json::array();
  std::uniform_real_distribution<double> score(-18.0, -2.0);
  for (size_t id = 0; id < pieces.size(); ++id) entries.push_back({pieces[id], id < 4 ? 0.0 : score(rng)});
  json doc;
  doc["version"] = "1.0";
  doc["truncation"] = nullptr;
  doc["padding"] = nullptr;
  doc["added_tokens"] = {special_token(0, "<s>"), special_token(1, "<pad>"), special_token(2, "</s>"),
                         special_token(3, "<unk>")};
  doc["normalizer"] = nullptr;
  doc["pre_tokenizer"] = {
      {"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "always"}, {"split", true}};
  doc["post_processor"] = {{"type", "TemplateProcessing"},
                           {"single",
                            {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                             {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                             {{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}}},
                           {"pair",
                            {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                             {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                             {{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}},
                             {{"Sequence", {{"id", "B"}, {"type_id", 0}}}},
                             {{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}}},
                           {"special_tokens",
                            {{"<s>", {{"id", "<s>"}, {"ids", {0}}, {"tokens", {"<s>"}}}},
                             {"</s>", {{"id", "</s>"}, {"ids", {2}}, {"tokens", {"</s>"}}}}}}};
  doc["decoder"] = {
      {"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "always"}, {"split", true}};
  doc["model"] = {{"type", "Unigram"}, {"unk_id", 3}, {"vocab", entries}, {"byte_fallback", false}};
  return doc;
}

// A byte-level BPE with `merges` merges: the 256 byte symbols of GPT-2's byte-to-unicode map,
// then each merge joins two earlier tokens (at most 16 bytes together) into a new one.
json synthetic_bpe(size_t merges, std::mt19937_64& rng) {
  std::vector<std::string> tokens;
  std::vector<size_t> byte_lengths;
  for (uint32_t byte = 0, extra = 0; byte < 256; ++byte) {
    const bool printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174;
    std::string symbol;
    append_utf8(symbol, printable ? byte : 256 + extra++);
    tokens.push_back(std::move(symbol));
    byte_lengths.push_back(1);
  }
  std::unordered_set<std::string> seen(tokens.begin(), tokens.end());
  json merge_list = json::array();
  while (merge_list.size() < merges) {
    // Favour recent and short tokens a little, as real merge lists do.
    const size_t a = rng() % tokens.size();
    const size_t b = rng() % 4 ? rng() % 256 : rng() % tokens.size();
    if (byte_lengths[a] + byte_lengths[b] > 16) continue;
    std::string merged = tokens[a] + tokens[b];
    if (!seen.insert(merged).second) continue;
    merge_list.push_back({tokens[a], tokens[b]});
    tokens.push_back(std::move(merged));
    byte_lengths.push_back(byte_lengths[a] + byte_lengths[b]);
  }
  json vocab = json::object();
  vocab["<|endoftext|>"] = 0;
  for (size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id + 1;
  json doc;
  doc["version"] = "1.0";
  doc["truncation"] = nullptr;
  doc["padding"] = nullptr;
  json added = special_token(0, "<|endoftext|>");
  doc["added_tokens"] = {added};
  doc["normalizer"] = nullptr;
  doc["pre_tokenizer"] = {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  doc["post_processor"] = {
      {"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}};
  doc["decoder"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  doc["model"] = {{"type", "BPE"},
                  {"dropout", nullptr},
                  {"unk_token", nullptr},
                  {"continuing_subword_prefix", nullptr},
                  {"end_of_word_suffix", nullptr},
                  {"fuse_unk", false},
                  {"byte_fallback", false},
                  {"ignore_merges", false},
                  {"vocab", vocab},
                  {"merges", merge_list}};
  return doc;
}

// Child process: load PATH once (time + resident growth), then 5 more times (time), print JSON.
int run_load_one(const std::string& path) {
  const size_t before = resident_bytes();
  auto start = Clock::now();
  std::vector<double> times;
  size_t growth = 0;
  {
    const Tokenizer tokenizer = Tokenizer::from_file(path);
    times.push_back(seconds_since(start));
    growth = resident_bytes() - before;
    g_sink += tokenizer.vocab_size();
  }
  for (int i = 0; i < 5; ++i) {
    start = Clock::now();
    const Tokenizer tokenizer = Tokenizer::from_file(path);
    times.push_back(seconds_since(start));
    g_sink += tokenizer.vocab_size();
  }
  std::ifstream status("/proc/self/status");
  size_t peak_kb = 0;
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) peak_kb = std::stoul(line.substr(6));
  const json out{{"first_load_ms", times[0] * 1e3},
                 {"median_load_ms", median(std::vector<double>(times.begin() + 1, times.end())) * 1e3},
                 {"rss_growth_mb", static_cast<double>(growth) / 1e6},
                 {"rss_before_mb", static_cast<double>(before) / 1e6},
                 {"peak_rss_mb", static_cast<double>(peak_kb) * 1024 / 1e6}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

json load_in_child(const std::string& path) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command = "'" + self + "' load-one '" + path + "'";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) fail("cannot run " + command);
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  if (pclose(pipe) != 0) fail("load-one failed for " + path + ": " + output);
  return json::parse(output);
}

int run_load(size_t vocab, std::string dir, const std::string& json_path) {
  if (dir.empty()) {
    char pattern[] = "/tmp/bench_tokenizers_XXXXXX";
    if (!mkdtemp(pattern)) fail("mkdtemp failed");
    dir = pattern;
  }
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(20261123);
  const std::vector<std::pair<std::string, json>> files{{"unigram", synthetic_unigram(vocab, rng)},
                                                        {"bpe", synthetic_bpe(vocab, rng)}};
  json doc = json::array();
  std::printf("%-8s %8s %9s %14s %15s %14s %12s\n", "model", "vocab", "file MB", "first load ms", "median load ms",
              "RSS growth MB", "peak RSS MB");
  for (const auto& [name, tokenizer_json] : files) {
    const std::string path = dir + "/" + name + "-" + std::to_string(vocab) + ".json";
    std::ofstream(path) << tokenizer_json.dump();
    const json result = load_in_child(path);
    const double file_mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
    std::printf("%-8s %8zu %9.1f %14.1f %15.1f %14.1f %12.1f\n", name.c_str(), vocab, file_mb,
                result["first_load_ms"].get<double>(), result["median_load_ms"].get<double>(),
                result["rss_growth_mb"].get<double>(), result["peak_rss_mb"].get<double>());
    json entry = result;
    entry["model"] = name;
    entry["vocab"] = vocab;
    entry["file_mb"] = file_mb;
    entry["path"] = path;
    doc.push_back(entry);
  }
  std::printf("files in %s\n", dir.c_str());
  if (!json_path.empty()) std::ofstream(json_path) << doc.dump(1) << '\n';
  return 0;
}

void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s encode --tokenizer PATH --input FILE [--threads N] [--repeat R] [--chunk LINES]\n"
               "                 [--ids-out PATH] [--ids-lines N] [--json PATH]\n"
               "       %s load [--vocab N] [--dir DIR] [--json PATH]\n",
               argv0, argv0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(argv[0]);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "load-one" && argc == 3) return run_load_one(argv[2]);
  EncodeOptions encode;
  size_t vocab = 250000;
  std::string dir, json_path;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail("missing value after " + arg);
      return argv[++i];
    };
    if (arg == "--tokenizer")
      encode.tokenizer = value();
    else if (arg == "--input")
      encode.input = value();
    else if (arg == "--threads")
      encode.threads = std::stoi(value());
    else if (arg == "--repeat")
      encode.repeat = std::stoi(value());
    else if (arg == "--chunk")
      encode.chunk = std::stoul(value());
    else if (arg == "--ids-out")
      encode.ids_out = value();
    else if (arg == "--ids-lines")
      encode.ids_lines = std::stoul(value());
    else if (arg == "--json")
      json_path = value();
    else if (arg == "--vocab")
      vocab = std::stoul(value());
    else if (arg == "--dir")
      dir = value();
    else {
      usage(argv[0]);
      return 2;
    }
  }
  try {
    if (command == "encode") {
      encode.json_path = json_path;
      return run_encode(encode);
    }
    if (command == "load") return run_load(vocab, dir, json_path);
  } catch (const std::exception& error) {
    fail(error.what());
  }
  usage(argv[0]);
  return 2;
}
