#include "model_stepper.hpp"

#include <algorithm>

namespace transformers::generation_detail {

Tensor last_logits(const Tensor& logits) {
  if (!logits.defined() || logits.dim() != 3)
    throw InvalidArgument("generate: the model must return logits [batch, positions, vocab], not " +
                          (logits.defined() ? logits.describe() : std::string("none")));
  return logits.select(1, logits.size(1) - 1).to(Device::cpu()).to(DType::F32).contiguous();
}

Tensor as_tensor(const Sequences& rows) {
  const int64_t length = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
  std::vector<int64_t> flat;
  flat.reserve(rows.size() * static_cast<size_t>(length));
  for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
  return Tensor::from_vector(flat, {static_cast<int64_t>(rows.size()), length});
}

DecoderOnlyStepper::DecoderOnlyStepper(const PreTrainedModel& model, const Sequences& attention_mask, bool use_cache,
                           int64_t capacity)
    : model_(model), mask_(attention_mask) {
  // transformers 5: position = cumsum(mask) - 1, and 0 at padding.
  for (const auto& row : mask_) {
    std::vector<int64_t> positions;
    int64_t seen = 0;
    for (int64_t m : row) {
      seen += m != 0;
      positions.push_back(m != 0 ? seen - 1 : 0);
      has_padding_ = has_padding_ || m == 0;
    }
    positions_.push_back(std::move(positions));
  }
  const std::optional<nn::CacheLayout> layout = model.cache_layout();
  if (use_cache && layout) cache_.emplace(*layout, static_cast<int64_t>(mask_.size()), capacity);
  capacity_ = capacity;
}

Tensor DecoderOnlyStepper::mask_tensor() const { return has_padding_ ? as_tensor(mask_) : Tensor(); }

Tensor DecoderOnlyStepper::positions_tensor(int64_t columns) const {
  Sequences tail;
  for (const auto& row : positions_) tail.emplace_back(row.end() - columns, row.end());
  return as_tensor(tail);
}

Tensor DecoderOnlyStepper::forward(const Sequences& fed, int64_t columns) {
  ModelInputs inputs;
  inputs.input_ids = as_tensor(fed);
  inputs.attention_mask = mask_tensor();
  inputs.position_ids = positions_tensor(columns);
  inputs.past_key_values = cache_ ? &*cache_ : nullptr;
  inputs.logits_to_keep = 1;
  return last_logits(model_.forward(inputs).logits);
}

Tensor DecoderOnlyStepper::prefill(const Sequences& prompt) {
  return forward(prompt, static_cast<int64_t>(prompt.empty() ? 0 : prompt[0].size()));
}

Tensor DecoderOnlyStepper::next(const Sequences& sequences) {
  for (size_t r = 0; r < mask_.size(); ++r) {
    mask_[r].push_back(1);
    positions_[r].push_back(positions_[r].back() + 1);
  }
  const int64_t length = static_cast<int64_t>(sequences[0].size());
  if (!cache_) return forward(sequences, length);
  if (model_.recompute_cache(length, cache_->length())) {  // Phi-3's switch to its long rope factors
    const nn::CacheLayout layout = cache_->layout();  // copied: emplace destroys the old cache first
    const int64_t batch = cache_->batch();
    cache_.emplace(layout, batch, capacity_);
    return forward(sequences, length);
  }
  Sequences last;
  for (const auto& row : sequences) last.push_back({row.back()});
  return forward(last, 1);
}

void DecoderOnlyStepper::reorder(const std::vector<int64_t>& rows) {
  Sequences mask, positions;
  for (int64_t r : rows) {
    mask.push_back(mask_.at(static_cast<size_t>(r)));
    positions.push_back(positions_.at(static_cast<size_t>(r)));
  }
  mask_ = std::move(mask);
  positions_ = std::move(positions);
  if (cache_) cache_->reorder(rows);
}

namespace {

Tensor repeated_rows(const Tensor& x, int64_t rows_per_input) {
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < x.size(0); ++r)
    for (int64_t i = 0; i < rows_per_input; ++i) rows.push_back(r);
  return ops::index_select(x, 0, Tensor::from_vector(rows, {static_cast<int64_t>(rows.size())}).to(x.device()));
}

}  // namespace

EncoderDecoderStepper::EncoderDecoderStepper(const EncoderDecoderModel& model, const Sequences& input_ids,
                                             const Sequences& attention_mask, int64_t rows_per_input, bool use_cache,
                                             int64_t capacity)
    : model_(model), rows_per_input_(rows_per_input) {
  const Tensor mask = as_tensor(attention_mask);
  encoder_output_ = repeated_rows(model.encode(as_tensor(input_ids), mask), rows_per_input);
  encoder_mask_ = repeated_rows(mask, rows_per_input);
  const std::optional<nn::CacheLayout> layout = model.cache_layout();
  if (use_cache && layout) cache_.emplace(*layout, encoder_output_.size(0), capacity);
}

Tensor EncoderDecoderStepper::forward(const Sequences& fed) {
  ModelInputs inputs;
  inputs.decoder_input_ids = as_tensor(fed);
  inputs.attention_mask = encoder_mask_;
  inputs.encoder_outputs = encoder_output_;
  inputs.past_key_values = cache_ ? &*cache_ : nullptr;
  inputs.cross_attention_cache = &cross_;
  inputs.logits_to_keep = 1;
  return last_logits(model_.forward(inputs).logits);
}

Tensor EncoderDecoderStepper::prefill(const Sequences& prompt) { return forward(prompt); }

Tensor EncoderDecoderStepper::next(const Sequences& sequences) {
  if (!cache_) return forward(sequences);
  Sequences last;
  for (const auto& row : sequences) last.push_back({row.back()});
  return forward(last);
}

void EncoderDecoderStepper::reorder(const std::vector<int64_t>& rows) {
  if (cache_) cache_->reorder(rows);
  // Beam search moves rows among an input's own beams, whose encoder rows are equal: the encoder's
  // output and the cross-attention cache move only when a row takes another input's place.
  bool crosses_inputs = false;
  for (size_t r = 0; r < rows.size(); ++r)
    crosses_inputs = crosses_inputs || rows[r] / rows_per_input_ != static_cast<int64_t>(r) / rows_per_input_;
  if (!crosses_inputs) return;
  const Tensor index = Tensor::from_vector(rows, {static_cast<int64_t>(rows.size())});
  encoder_output_ = ops::index_select(encoder_output_, 0, index.to(encoder_output_.device()));
  encoder_mask_ = ops::index_select(encoder_mask_, 0, index);
  for (auto& [keys, values] : cross_.layers) {
    keys = ops::index_select(keys, 0, index.to(keys.device()));
    values = ops::index_select(values, 0, index.to(values.device()));
  }
}

}  // namespace transformers::generation_detail
