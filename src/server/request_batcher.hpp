#pragma once
// Concurrent requests share forward passes: each request queues itself; whichever request finds no
// batch running takes every request waiting (up to a budget, in tokens), runs them as one batch,
// hands each its result, and goes on while requests wait. No thread of its own: the requests'
// threads do the work, one batch at a time. Used for embeddings and for classification.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include <transformers/core/error.hpp>

namespace transformers::server {

template <typename Request, typename Result>
class RequestBatcher {
 public:
  // Runs requests together: one result per request, in order.
  using Run = std::function<std::vector<Result>(const std::vector<const Request*>& batch)>;

  // `request`'s result, computed in a batch of requests whose `cost` sums to at most `budget` (or of
  // this request alone).
  Result submit(const Request& request, size_t cost, size_t budget, const Run& run) {
    Pending pending;
    pending.request = &request;
    pending.cost = cost;
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_.push_back(&pending);
    while (!pending.done) {
      if (running_) {
        finished_.wait(lock);
        continue;
      }
      running_ = true;
      std::vector<Pending*> batch = take(budget);
      lock.unlock();
      std::vector<const Request*> requests;
      for (const Pending* p : batch) requests.push_back(p->request);
      std::vector<Result> results;
      std::exception_ptr error;
      try {
        results = run(requests);
        if (results.size() != batch.size()) throw Error("RequestBatcher: a result per request was expected");
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      for (size_t i = 0; i < batch.size(); ++i) {
        if (error)
          batch[i]->error = error;
        else
          batch[i]->result = std::move(results[i]);
        batch[i]->done = true;
      }
      running_ = false;
      finished_.notify_all();
    }
    if (pending.error) std::rethrow_exception(pending.error);
    return std::move(pending.result);
  }

 private:
  struct Pending {
    const Request* request = nullptr;
    size_t cost = 0;
    Result result{};
    bool done = false;
    std::exception_ptr error;
  };

  // The first request always, then more while they fit the budget (under the lock).
  std::vector<Pending*> take(size_t budget) {
    std::vector<Pending*> batch;
    size_t cost = 0;
    while (!waiting_.empty() && (batch.empty() || cost + waiting_.front()->cost <= budget)) {
      cost += waiting_.front()->cost;
      batch.push_back(waiting_.front());
      waiting_.pop_front();
    }
    return batch;
  }

  std::mutex mutex_;
  std::condition_variable finished_;
  std::deque<Pending*> waiting_;
  bool running_ = false;
};

}  // namespace transformers::server
