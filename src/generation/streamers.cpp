// TextStreamer's chunking (transformers' generation/streamers.py) on code points, as Python slices
// its str, and the thread-safe queue of TextIteratorStreamer.
#include "transformers/generation/streamers.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>

#include "../tokenizers/unicode.hpp"

namespace transformers {
namespace {

// transformers' _is_chinese_char: the CJK ideograph blocks (the second extension range starts at
// 0x2B820 there, unlike BERT's normalizer).
bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// Python's text[begin:end] on code points (an empty string when end <= begin).
std::string slice(const std::vector<char32_t>& points, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < std::min(end, points.size()); ++i) tokenizers::detail::append_utf8(out, points[i]);
  return out;
}

}  // namespace

TextStreamer::TextStreamer(PreTrainedTokenizerFast tokenizer, bool skip_prompt, StreamerDecodeOptions decode_options,
                           TextCallback on_text)
    : tokenizer_(std::move(tokenizer)),
      skip_prompt_(skip_prompt),
      decode_options_(decode_options),
      on_text_(std::move(on_text)) {}

std::string TextStreamer::decoded() const {
  return tokenizer_.decode(token_cache_, decode_options_.skip_special_tokens,
                           decode_options_.clean_up_tokenization_spaces);
}

void TextStreamer::put(const Tensor& value) {
  if (value.dim() > 1 && value.size(0) > 1) throw InvalidArgument("TextStreamer only supports batch size 1");
  if (skip_prompt_ && next_tokens_are_prompt_) {
    next_tokens_are_prompt_ = false;
    return;
  }
  const std::vector<int64_t> tokens = value.to_vector<int64_t>();
  token_cache_.insert(token_cache_.end(), tokens.begin(), tokens.end());
  const std::vector<char32_t> text = tokenizers::detail::to_code_points(decoded());
  std::string printable;
  if (!text.empty() && text.back() == U'\n') {
    // A finished line: flush it all and start over.
    printable = slice(text, print_len_, text.size());
    token_cache_.clear();
    print_len_ = 0;
  } else if (!text.empty() && is_cjk_ideograph(text.back())) {
    printable = slice(text, print_len_, text.size());
    print_len_ += tokenizers::detail::to_code_points(printable).size();
  } else {
    // Up to the last space: a word after it may still change with the next token.
    size_t last_space_end = 0;
    for (size_t i = text.size(); i > 0; --i)
      if (text[i - 1] == U' ') {
        last_space_end = i;
        break;
      }
    printable = slice(text, print_len_, last_space_end);
    print_len_ += tokenizers::detail::to_code_points(printable).size();
  }
  on_finalized_text(printable, false);
}

void TextStreamer::end() {
  std::string printable;
  if (!token_cache_.empty()) {
    printable = slice(tokenizers::detail::to_code_points(decoded()), print_len_, SIZE_MAX);
    token_cache_.clear();
    print_len_ = 0;
  }
  next_tokens_are_prompt_ = true;
  on_finalized_text(printable, true);
}

void TextStreamer::on_finalized_text(const std::string& text, bool stream_end) {
  if (on_text_) {
    on_text_(text, stream_end);
    return;
  }
  std::cout << text;
  if (stream_end) std::cout << '\n';
  std::cout.flush();
}

TextIteratorStreamer::TextIteratorStreamer(PreTrainedTokenizerFast tokenizer, bool skip_prompt,
                                           std::optional<double> timeout, StreamerDecodeOptions decode_options)
    : TextStreamer(std::move(tokenizer), skip_prompt, decode_options), timeout_(timeout) {}

void TextIteratorStreamer::on_finalized_text(const std::string& text, bool stream_end) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(text);
    if (stream_end) queue_.push_back(std::nullopt);
  }
  ready_.notify_all();
}

std::optional<std::string> TextIteratorStreamer::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto has_chunk = [&] { return !queue_.empty(); };
  if (!timeout_) {
    ready_.wait(lock, has_chunk);
  } else if (!ready_.wait_for(lock, std::chrono::duration<double>(*timeout_), has_chunk)) {
    throw StreamerTimeout("TextIteratorStreamer: no text within the timeout of " + std::to_string(*timeout_) +
                          " seconds");
  }
  std::optional<std::string> chunk = std::move(queue_.front());
  queue_.pop_front();
  return chunk;
}

}  // namespace transformers
