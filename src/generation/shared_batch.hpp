#pragma once
// Continuous batching of concurrent generate() calls on one decoder-only model. Each call keeps its
// own decoding loop on its own thread (its logits processors, sampling, stopping criteria and
// streamer, exactly as alone), but its forward passes go through a SharedBatch: one worker thread
// runs the next step of every call under way as one batched forward. Newcomers' prompts are
// prefilled together (up to eight, padded on the left), then their cache rows join the batch between
// steps, padded on the left to the batch's length (position ids and the attention mask keep each
// call's numbers its own); a call that ends leaves, and padding that every row has in common is
// trimmed away. The batch's cache rows live in one nn::KVCache with spare rows, so joining and
// leaving copy one row, not the batch.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "model_stepper.hpp"

namespace transformers::generation_detail {

class SharedBatch {
 public:
  // `max_rows`: calls decoding together; more wait for a row to free up.
  SharedBatch(const PreTrainedModel& model, int64_t max_rows);
  ~SharedBatch();
  SharedBatch(const SharedBatch&) = delete;
  SharedBatch& operator=(const SharedBatch&) = delete;

  // Whether the model's steps can be shared: a KV cache on the CPU without sliding windows, and no
  // cache recomputation mid-generation (Phi-3's LongRoPE switch).
  static bool supports(const PreTrainedModel& model);

  // The stepper of one generate() call of one row (no beams, one returned sequence).
  std::unique_ptr<ModelStepper> stepper();

  // Rows decoding now, calls waiting to join, and batched steps run so far (for metrics).
  struct Counts {
    int64_t rows = 0, waiting = 0, steps = 0, stepped_rows = 0;
  };
  Counts counts() const;

 private:
  friend class SharedStepper;
  struct Member;

  // Called from the calls' threads; each blocks until the worker has answered.
  Tensor join(Member& member, const std::vector<int64_t>& prompt);
  Tensor step(Member& member, int64_t token);
  void leave(Member& member);

  void work();
  void admit(const std::vector<Member*>& group);
  void run_step();
  void remove(Member& member);
  void trim_common_padding();

  const PreTrainedModel& model_;
  const int64_t max_rows_;
  nn::KVCache cache_;
  mutable std::mutex mutex_;
  std::condition_variable wake_worker_, answered_;
  std::deque<Member*> joining_;
  std::vector<Member*> rows_;  // in cache row order
  int64_t submitted_ = 0;      // rows whose next token is in
  int64_t steps_ = 0, stepped_rows_ = 0;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace transformers::generation_detail
