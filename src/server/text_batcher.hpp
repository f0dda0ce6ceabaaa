#pragma once
// Concurrent embedding requests share forward passes: each request queues its texts; whichever
// request finds no batch running takes every text waiting (up to a token budget), runs them as one
// batch, hands each request its rows, and goes on while texts wait. No thread of its own: the
// requests' threads do the work, one at a time.
#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace transformers::server {

class TextBatcher {
 public:
  using Rows = std::vector<std::vector<float>>;
  // Embeds texts (any number; the longest has `longest` tokens) in one go; one row per text.
  using Run = std::function<Rows(const std::vector<std::string>& texts, size_t longest)>;

  // `texts` with their `tokens` in all and their `longest`: their rows, computed in some batch of at
  // most `budget` tokens (or of this request alone).
  Rows embed(const std::vector<std::string>& texts, size_t tokens, size_t longest, size_t budget, const Run& run) {
    Request request;
    request.texts = &texts;
    request.tokens = tokens;
    request.longest = longest;
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_.push_back(&request);
    while (!request.done) {
      if (running_) {
        finished_.wait(lock);
        continue;
      }
      running_ = true;
      std::vector<Request*> batch = take(budget);
      lock.unlock();
      std::vector<std::string> all;
      size_t batch_longest = 1;
      for (const Request* r : batch) {
        all.insert(all.end(), r->texts->begin(), r->texts->end());
        batch_longest = std::max(batch_longest, r->longest);
      }
      Rows rows;
      std::exception_ptr error;
      try {
        rows = run(all, batch_longest);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      size_t next = 0;
      for (Request* r : batch) {
        if (error) r->error = error;
        else r->rows.assign(rows.begin() + static_cast<std::ptrdiff_t>(next),
                            rows.begin() + static_cast<std::ptrdiff_t>(next + r->texts->size()));
        next += r->texts->size();
        r->done = true;
      }
      ++batches_;
      running_ = false;
      finished_.notify_all();
    }
    if (request.error) std::rethrow_exception(request.error);
    return std::move(request.rows);
  }

  size_t batches() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return batches_;
  }

 private:
  struct Request {
    const std::vector<std::string>* texts = nullptr;
    size_t tokens = 0, longest = 0;
    Rows rows;
    bool done = false;
    std::exception_ptr error;
  };

  // The first request always, then more while they fit the budget (under the lock).
  std::vector<Request*> take(size_t budget) {
    std::vector<Request*> batch;
    size_t tokens = 0;
    while (!waiting_.empty() && (batch.empty() || tokens + waiting_.front()->tokens <= budget)) {
      tokens += waiting_.front()->tokens;
      batch.push_back(waiting_.front());
      waiting_.pop_front();
    }
    return batch;
  }

  mutable std::mutex mutex_;
  std::condition_variable finished_;
  std::deque<Request*> waiting_;
  bool running_ = false;
  size_t batches_ = 0;
};

}  // namespace transformers::server
