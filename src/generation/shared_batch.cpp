// Continuous batching of concurrent generate() calls (see shared_batch.hpp).
#include "shared_batch.hpp"

#include <algorithm>
#include <exception>

namespace transformers::generation_detail {

// One call's place in the batch. Fields the call's thread writes (token, submitted, leaving) change
// under the mutex; the rest belong to the worker.
struct SharedBatch::Member {
  std::vector<int64_t> prompt;  // until it joins
  std::vector<int64_t> mask;    // per cache index: 1 its token, 0 padding
  int64_t next_position = 0;
  int64_t token = 0;
  bool submitted = false, leaving = false, in_batch = false, answered = false;
  Tensor logits;  // [1, vocab], f32 on the host
  std::exception_ptr error;
};

// The ModelStepper of one call: its forward passes are the batch's.
class SharedStepper final : public ModelStepper {
 public:
  explicit SharedStepper(SharedBatch& batch) : batch_(batch) {}
  ~SharedStepper() override {
    if (joined_) batch_.leave(member_);
  }

  Tensor prefill(const Sequences& prompt) override {
    if (prompt.size() != 1)
      throw InvalidArgument("SharedBatch: one row per call, not " + std::to_string(prompt.size()));
    joined_ = true;
    return batch_.join(member_, prompt[0]);
  }
  Tensor next(const Sequences& sequences) override { return batch_.step(member_, sequences.at(0).back()); }
  void reorder(const std::vector<int64_t>&) override { throw InvalidArgument("SharedBatch: no beam search"); }

 private:
  SharedBatch& batch_;
  SharedBatch::Member member_;
  bool joined_ = false;
};

namespace {

constexpr int64_t kFirstRows = 8;        // rows allocated at first; doubled up to max_rows
constexpr int64_t kTrimmedPadding = 32;  // common left padding worth moving every row for
constexpr int64_t kJoinsPerStep = 8;     // newcomers prefilled together between two steps

nn::CacheLayout layout_of(const PreTrainedModel& model) {
  const std::optional<nn::CacheLayout> layout = model.cache_layout();
  if (!layout) throw InvalidArgument("SharedBatch: the model has no KV cache");
  return *layout;
}

}  // namespace

bool SharedBatch::supports(const PreTrainedModel& model) {
  const std::optional<nn::CacheLayout> layout = model.cache_layout();
  if (!layout || !layout->device.is_cpu()) return false;
  if (std::any_of(layout->sliding_windows.begin(), layout->sliding_windows.end(), [](int64_t w) { return w > 0; }))
    return false;
  return !model.recompute_cache(int64_t{1} << 40, 0);
}

SharedBatch::SharedBatch(const PreTrainedModel& model, int64_t max_rows)
    : model_(model),
      max_rows_(std::max<int64_t>(1, max_rows)),
      cache_(layout_of(model), 0, 256, std::min(kFirstRows, std::max<int64_t>(1, max_rows))) {
  if (!supports(model)) throw InvalidArgument("SharedBatch: this model's steps cannot be batched across calls");
  worker_ = std::thread([this] { work(); });
}

SharedBatch::~SharedBatch() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_worker_.notify_all();
  worker_.join();
}

std::unique_ptr<ModelStepper> SharedBatch::stepper() { return std::make_unique<SharedStepper>(*this); }

SharedBatch::Counts SharedBatch::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {static_cast<int64_t>(rows_.size()), static_cast<int64_t>(joining_.size()), steps_, stepped_rows_};
}

namespace {

// Waits for the worker's answer to `member`, then hands on its logits or its error.
template <typename Member>
Tensor await_answer(std::unique_lock<std::mutex>& lock, std::condition_variable& answered, Member& member) {
  answered.wait(lock, [&] { return member.answered; });
  member.answered = false;
  if (member.error) {
    std::exception_ptr error = member.error;
    member.error = nullptr;
    std::rethrow_exception(error);
  }
  return std::move(member.logits);
}

}  // namespace

Tensor SharedBatch::join(Member& member, const std::vector<int64_t>& prompt) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) throw Error("SharedBatch: shutting down");
  member.prompt = prompt;
  joining_.push_back(&member);
  wake_worker_.notify_all();
  return await_answer(lock, answered_, member);
}

Tensor SharedBatch::step(Member& member, int64_t token) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!member.in_batch) throw Error("SharedBatch: the call is no longer in the batch");
  member.token = token;
  member.submitted = true;
  ++submitted_;
  wake_worker_.notify_all();
  return await_answer(lock, answered_, member);
}

void SharedBatch::leave(Member& member) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto waiting = std::find(joining_.begin(), joining_.end(), &member);
  if (waiting != joining_.end()) joining_.erase(waiting);
  if (!member.in_batch) return;
  member.leaving = true;
  wake_worker_.notify_all();
  answered_.wait(lock, [&] { return !member.in_batch; });
}

void SharedBatch::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    auto leaving = [&] { return std::any_of(rows_.begin(), rows_.end(), [](const Member* m) { return m->leaving; }); };
    auto all_submitted = [&] { return !rows_.empty() && submitted_ == static_cast<int64_t>(rows_.size()); };
    auto can_join_more = [&](size_t taken) {
      return !joining_.empty() && static_cast<int64_t>(rows_.size() + taken) < max_rows_;
    };
    auto can_join = [&] { return can_join_more(0); };
    wake_worker_.wait(lock, [&] { return stopping_ || leaving() || can_join() || all_submitted(); });
    if (stopping_) break;
    if (leaving()) {
      for (size_t r = rows_.size(); r-- > 0;)
        if (rows_[r]->leaving) remove(*rows_[r]);
      trim_common_padding();
      answered_.notify_all();
      continue;  // the rows left may all have submitted now
    }
    if (can_join()) {  // newcomers are prefilled together while the running calls submit their tokens
      std::vector<Member*> group;
      while (static_cast<int64_t>(group.size()) < kJoinsPerStep && can_join_more(group.size())) {
        group.push_back(joining_.front());
        joining_.pop_front();
      }
      lock.unlock();
      std::exception_ptr error;
      try {
        admit(group);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      for (Member* member : group) {
        if (error) member->error = error;
        member->answered = true;
      }
      answered_.notify_all();
    }
    if (all_submitted()) {
      lock.unlock();
      std::exception_ptr error;
      try {
        run_step();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      for (Member* member : rows_) {
        member->submitted = false;
        member->answered = true;
        member->error = error;
      }
      submitted_ = 0;
      ++steps_;
      stepped_rows_ += static_cast<int64_t>(rows_.size());
      answered_.notify_all();
    }
  }
  // Shutting down: every waiting call gets an error.
  for (Member* member : joining_) {
    member->error = std::make_exception_ptr(Error("SharedBatch: shutting down"));
    member->answered = true;
  }
  joining_.clear();
  for (Member* member : rows_) {
    member->error = std::make_exception_ptr(Error("SharedBatch: shutting down"));
    member->answered = true;
    member->in_batch = false;
  }
  rows_.clear();
  answered_.notify_all();
}

// The newcomers' prompts through the model together (padded on the left to the longest), then their
// cache rows into the batch (worker thread, unlocked: only the worker touches the cache and the
// rows' masks).
void SharedBatch::admit(const std::vector<Member*>& group) {
  int64_t longest = 0;
  for (const Member* member : group) longest = std::max<int64_t>(longest, static_cast<int64_t>(member->prompt.size()));
  const int64_t rows = static_cast<int64_t>(group.size());
  std::vector<int64_t> ids, mask, positions;
  bool padded = false;
  for (const Member* member : group) {
    const int64_t padding = longest - static_cast<int64_t>(member->prompt.size());
    padded = padded || padding > 0;
    for (int64_t i = 0; i < longest; ++i) {
      const bool token = i >= padding;
      ids.push_back(token ? member->prompt[static_cast<size_t>(i - padding)] : member->prompt.front());
      mask.push_back(token ? 1 : 0);
      positions.push_back(token ? i - padding : 0);  // transformers: cumsum(mask) - 1, 0 at padding
    }
  }
  nn::KVCache own(cache_.layout(), rows, longest);
  ModelInputs inputs;
  inputs.input_ids = Tensor::from_vector(ids, {rows, longest});
  if (padded) inputs.attention_mask = Tensor::from_vector(mask, {rows, longest});
  inputs.position_ids = Tensor::from_vector(positions, {rows, longest});
  inputs.past_key_values = &own;
  inputs.logits_to_keep = 1;
  const Tensor logits = last_logits(model_.forward(inputs).logits);

  while (cache_.row_capacity() - cache_.batch() < rows) {  // room for more rows: a bigger cache
    nn::KVCache bigger(cache_.layout(), 0, std::max<int64_t>(256, cache_.length()),
                       std::min(max_rows_, 2 * cache_.row_capacity()));
    bigger.pad_left(cache_.length());
    for (int64_t r = 0; r < cache_.batch(); ++r) bigger.add_row(cache_, r);
    std::swap(cache_, bigger);
  }
  if (longest > cache_.length()) {
    const int64_t extra = longest - cache_.length();
    cache_.pad_left(extra);
    for (Member* row : rows_) row->mask.insert(row->mask.begin(), static_cast<size_t>(extra), 0);
  }
  for (int64_t r = 0; r < rows; ++r) {
    Member& member = *group[static_cast<size_t>(r)];
    const int64_t length = static_cast<int64_t>(member.prompt.size());
    cache_.add_row(own, r);  // its padding in the group's pass comes along, masked like the rest
    member.mask.assign(static_cast<size_t>(cache_.length() - length), 0);
    member.mask.insert(member.mask.end(), static_cast<size_t>(length), 1);
    member.next_position = length;
    member.logits = logits.narrow(0, r, 1).contiguous();
    member.prompt.clear();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (Member* member : group) {
    rows_.push_back(member);
    member->in_batch = true;
  }
}

// One token of every row through the model together (worker thread, unlocked).
void SharedBatch::run_step() {
  const int64_t rows = static_cast<int64_t>(rows_.size()), width = cache_.length() + 1;
  std::vector<int64_t> tokens, mask, positions;
  bool padded = false;
  for (Member* member : rows_) {
    tokens.push_back(member->token);
    positions.push_back(member->next_position);
    member->mask.push_back(1);
    mask.insert(mask.end(), member->mask.begin(), member->mask.end());
    padded = padded || member->mask.front() == 0;
  }
  ModelInputs inputs;
  inputs.input_ids = Tensor::from_vector(tokens, {rows, 1});
  if (padded) inputs.attention_mask = Tensor::from_vector(mask, {rows, width});  // an all-ones mask is left out
  inputs.position_ids = Tensor::from_vector(positions, {rows, 1});
  inputs.past_key_values = &cache_;
  inputs.logits_to_keep = 1;
  const Tensor logits = last_logits(model_.forward(inputs).logits);
  for (int64_t r = 0; r < rows; ++r) {
    Member& member = *rows_[static_cast<size_t>(r)];
    member.logits = logits.narrow(0, r, 1).contiguous();
    ++member.next_position;
  }
}

// Under the lock, between steps.
void SharedBatch::remove(Member& member) {
  const auto it = std::find(rows_.begin(), rows_.end(), &member);
  const int64_t row = it - rows_.begin();
  cache_.remove_row(row);  // the last row moves into its place, in the cache as here
  *it = rows_.back();
  rows_.pop_back();
  member.in_batch = false;
  member.leaving = false;
}

// Padding every row starts with is dropped once it is worth moving the rows for.
void SharedBatch::trim_common_padding() {
  if (rows_.empty()) return;
  int64_t common = cache_.length();
  for (const Member* member : rows_) {
    const auto first_token = std::find(member->mask.begin(), member->mask.end(), 1);
    common = std::min<int64_t>(common, first_token - member->mask.begin());
  }
  if (common < kTrimmedPadding) return;
  cache_.trim_left(common);
  for (Member* member : rows_) member->mask.erase(member->mask.begin(), member->mask.begin() + common);
}

}  // namespace transformers::generation_detail
