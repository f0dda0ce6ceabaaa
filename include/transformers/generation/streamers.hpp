#pragma once
// Streamers receive tokens while generate() runs: put(prompt [rows, length]) once, put(next tokens
// [rows]) after every step, then end(). TextStreamer turns them into text chunks exactly as
// transformers' TextStreamer does: it decodes everything since the last flush and hands on only
// what is final (up to the last space, everything after a CJK ideograph, everything at a newline,
// the rest at end()), so a chunk never ends inside a word or a UTF-8 sequence. TextIteratorStreamer
// queues the chunks for another thread (generate in one thread, iterate in another).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "transformers/core/error.hpp"
#include "transformers/core/tensor.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers {

class BaseStreamer {
 public:
  virtual ~BaseStreamer() = default;
  virtual void put(const Tensor& value) = 0;
  virtual void end() = 0;
};

// transformers' decode_kwargs.
struct StreamerDecodeOptions {
  bool skip_special_tokens = false;
  std::optional<bool> clean_up_tokenization_spaces;
};

class TextStreamer : public BaseStreamer {
 public:
  // Receives each chunk; `stream_end` is true for the last one (from end()).
  using TextCallback = std::function<void(const std::string& text, bool stream_end)>;

  // Without a callback, chunks are printed to stdout and end() prints a newline, as transformers'.
  // skip_prompt: the first put (the prompt) is not streamed. Batches of more than one row are refused.
  explicit TextStreamer(PreTrainedTokenizerFast tokenizer, bool skip_prompt = false,
                        StreamerDecodeOptions decode_options = {}, TextCallback on_text = {});

  void put(const Tensor& value) override;
  void end() override;

 protected:
  virtual void on_finalized_text(const std::string& text, bool stream_end);

 private:
  std::string decoded() const;

  PreTrainedTokenizerFast tokenizer_;
  bool skip_prompt_;
  StreamerDecodeOptions decode_options_;
  TextCallback on_text_;
  std::vector<int64_t> token_cache_;  // tokens since the last flush
  size_t print_len_ = 0;              // code points of their text already handed on
  bool next_tokens_are_prompt_ = true;
};

// TextIteratorStreamer::next found nothing within its timeout (Python's queue.Empty).
class StreamerTimeout : public Error {
 public:
  using Error::Error;
};

class TextIteratorStreamer : public TextStreamer {
 public:
  // timeout: seconds next() waits for a chunk before throwing StreamerTimeout; nullopt waits forever
  // (give one when generate may fail in its thread: the stream then never ends).
  explicit TextIteratorStreamer(PreTrainedTokenizerFast tokenizer, bool skip_prompt = false,
                                std::optional<double> timeout = std::nullopt,
                                StreamerDecodeOptions decode_options = {});

  // The next chunk (possibly empty, as transformers' queue holds them); nullopt once generation ended.
  std::optional<std::string> next();

  // for (const std::string& chunk : streamer.chunks()) { ... } consumes the chunks until the end.
  class Iterator {
   public:
    Iterator(TextIteratorStreamer* streamer, std::optional<std::string> chunk)
        : streamer_(streamer), chunk_(std::move(chunk)) {}
    const std::string& operator*() const { return *chunk_; }
    Iterator& operator++() {
      chunk_ = streamer_->next();
      return *this;
    }
    bool operator!=(const Iterator& other) const { return chunk_.has_value() != other.chunk_.has_value(); }

   private:
    TextIteratorStreamer* streamer_;
    std::optional<std::string> chunk_;
  };
  struct Chunks {
    TextIteratorStreamer* streamer;
    Iterator begin() { return Iterator(streamer, streamer->next()); }
    Iterator end() { return Iterator(streamer, std::nullopt); }
  };
  Chunks chunks() { return Chunks{this}; }

 protected:
  void on_finalized_text(const std::string& text, bool stream_end) override;

 private:
  std::optional<double> timeout_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::optional<std::string>> queue_;  // nullopt: the stop signal
};

}  // namespace transformers
