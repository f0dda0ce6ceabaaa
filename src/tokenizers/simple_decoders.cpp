// The per-token decoders: BPEDecoder, ByteFallback, Fuse, Strip, Replace and CTC.
#include "byte_level.hpp"
#include "decoder.hpp"
#include "pre_tokenizer.hpp"
#include "regex.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

using ChainFunction = std::function<std::vector<std::string>(std::vector<std::string>)>;

class FunctionDecoder final : public Decoder {
 public:
  explicit FunctionDecoder(ChainFunction chain) : chain_(std::move(chain)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    return chain_(std::move(tokens));
  }

 private:
  ChainFunction chain_;
};

std::unique_ptr<Decoder> from_function(ChainFunction chain) {
  return std::make_unique<FunctionDecoder>(std::move(chain));
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

std::optional<uint8_t> byte_token_value(const std::string& token) {
  if (token.size() != 6 || !token.starts_with("<0x") || token.back() != '>') return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  const int high = digit(token[3]), low = digit(token[4]);
  if (high < 0 || low < 0) return std::nullopt;
  return static_cast<uint8_t>(high * 16 + low);
}

void flush_bytes(std::string& bytes, std::vector<std::string>& out) {
  if (bytes.empty()) return;
  if (utf8_lossy(bytes) == bytes) {
    out.push_back(bytes);
  } else {
    // Invalid UTF-8: one replacement char per byte.
    for (size_t i = 0; i < bytes.size(); ++i) out.emplace_back("\xEF\xBF\xBD");
  }
  bytes.clear();
}

}  // namespace

std::unique_ptr<Decoder> make_bpe_decoder(const json& config, const std::string& where) {
  const std::string suffix = string_field(config, "suffix", "</w>", where);
  return from_function([suffix](std::vector<std::string> tokens) {
    for (size_t i = 0; i < tokens.size(); ++i) replace_all(tokens[i], suffix, i + 1 == tokens.size() ? "" : " ");
    return tokens;
  });
}

std::unique_ptr<Decoder> make_byte_fallback_decoder(const json&, const std::string&) {
  return from_function([](std::vector<std::string> tokens) {
    std::vector<std::string> out;
    std::string bytes;
    for (std::string& token : tokens) {
      if (const auto byte = byte_token_value(token)) {
        bytes += static_cast<char>(*byte);
        continue;
      }
      flush_bytes(bytes, out);
      out.push_back(std::move(token));
    }
    flush_bytes(bytes, out);
    return out;
  });
}

std::unique_ptr<Decoder> make_fuse_decoder(const json&, const std::string&) {
  return from_function([](std::vector<std::string> tokens) {
    std::string joined;
    for (const std::string& token : tokens) joined += token;
    return std::vector<std::string>{joined};
  });
}

std::unique_ptr<Decoder> make_strip_decoder(const json& config, const std::string& where) {
  const std::vector<char32_t> content = to_code_points(required_string_field(config, "content", where));
  if (content.size() != 1) throw_config_error(where, "field 'content' must be exactly one char");
  const int64_t start = int_field(config, "start", 0, where), stop = int_field(config, "stop", 0, where);
  if (start < 0 || stop < 0) throw_config_error(where, "fields 'start' and 'stop' must not be negative");
  const char32_t c = content[0];
  return from_function([=](std::vector<std::string> tokens) {
    for (std::string& token : tokens) {
      const std::vector<char32_t> chars = to_code_points(token);
      size_t begin = 0, end = chars.size();
      while (begin < static_cast<size_t>(start) && begin < chars.size() && chars[begin] == c) ++begin;
      for (size_t removed = 0; removed < static_cast<size_t>(stop) && end > begin && chars[end - 1] == c; ++removed)
        --end;
      std::string stripped;
      for (size_t i = begin; i < end; ++i) append_utf8(stripped, chars[i]);
      token = std::move(stripped);
    }
    return tokens;
  });
}

std::unique_ptr<Decoder> make_replace_decoder(const json& config, const std::string& where) {
  auto regex = std::make_shared<Regex>(parse_pattern(config, where), where);
  const std::string content = required_string_field(config, "content", where);
  return from_function([regex, content](std::vector<std::string> tokens) {
    for (std::string& token : tokens) {
      std::string replaced;
      for (const MatchSpan& span : find_regex_matches(*regex, token)) {
        if (span.is_match)
          replaced += content;
        else
          replaced.append(token, span.start, span.end - span.start);
      }
      token = std::move(replaced);
    }
    return tokens;
  });
}

std::unique_ptr<Decoder> make_ctc_decoder(const json& config, const std::string& where) {
  const std::string pad = string_field(config, "pad_token", "<pad>", where);
  const std::string delimiter = string_field(config, "word_delimiter_token", "|", where);
  const bool cleanup = bool_field(config, "cleanup", true, where);
  return from_function([=](std::vector<std::string> tokens) {
    std::vector<std::string> out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0 && tokens[i] == tokens[i - 1]) continue;  // consecutive duplicates collapse
      std::string token = tokens[i];
      replace_all(token, pad, "");
      if (cleanup) {
        clean_up_wordpiece(token);
        replace_all(token, delimiter, " ");
      }
      if (!token.empty()) out.push_back(std::move(token));
    }
    return out;
  });
}

}  // namespace transformers::tokenizers::detail
