// transformers' _beam_search (the vectorized version of transformers 4.50+), step for step: every
// batch item keeps num_beams running beams and num_beams finished hypotheses; each step takes the
// top (1 + number of eos tokens, at least 2) x num_beams continuations of all its beams, moves
// those that hit a stopping criterion into the finished hypotheses (score / length^length_penalty)
// and continues with the best num_beams others. Scores are float32 and sums are formed in
// transformers' order, so that the same beams win.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "decoding.hpp"
#include "score_rows.hpp"

namespace transformers::generation_detail {
namespace {

constexpr float kLarge = 1.0e9f;  // transformers' penalty for what must not be chosen

struct Hypothesis {
  std::vector<int64_t> tokens;        // prompt included
  float score = 0.0f;                 // running: summed log-probabilities; finished: length-normalized
  std::vector<int64_t> beam_indices;  // per generated token, the flat beam row it continued
  bool finished = false;
};

// Indices of the k largest values, largest first; equal values keep index order. A partial sort
// under (value descending, index ascending) gives exactly a stable sort's first k, in O(n log k):
// beam search asks for 2 * num_beams of num_beams * vocab candidates every step.
std::vector<size_t> top_k(const std::vector<float>& values, size_t k) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](size_t a, size_t b) { return values[a] > values[b] || (values[a] == values[b] && a < b); });
  order.resize(k);
  return order;
}

float penalty_if(bool condition) { return static_cast<float>(condition) * -kLarge; }

class BeamSearch {
 public:
  BeamSearch(const Sequences& prompt, const Decoding& decoding)
      : decoding_(decoding),
        config_(decoding.config),
        num_beams_(config_.beams()),
        batch_(static_cast<int64_t>(prompt.size()) / num_beams_),
        prompt_length_(static_cast<int64_t>(prompt[0].size())),
        cur_len_(prompt_length_),
        sampler_(decoding.seed) {
    const int64_t eos_count = config_.eos_token_id ? static_cast<int64_t>(config_.eos_token_id->size()) : 0;
    beams_to_keep_ = std::max<int64_t>(2, 1 + eos_count) * num_beams_;
    for (int64_t b = 0; b < batch_; ++b) {
      std::vector<Hypothesis> running, finished;
      for (int64_t j = 0; j < num_beams_; ++j) {
        Hypothesis h;
        h.tokens = prompt[static_cast<size_t>(b * num_beams_ + j)];
        h.score = j == 0 ? 0.0f : -kLarge;  // only the first beam's continuations count at first
        running.push_back(h);
        h.score = -kLarge;
        finished.push_back(h);
      }
      running_.push_back(std::move(running));
      finished_.push_back(std::move(finished));
    }
    improvement_possible_.assign(static_cast<size_t>(batch_), true);
  }

  GenerateOutput run(ModelStepper& model) {
    GenerateOutput output;
    Tensor logits = model.prefill(flat_running());
    while (true) {
      const Tensor scores = step_scores(logits, output);
      const std::vector<std::vector<Hypothesis>> candidates = top_continuations(ScoreRows(scores));
      const std::vector<std::vector<bool>> hits = hit_stopping_criteria(candidates);
      choose_running(candidates, hits);
      update_finished(candidates, hits);
      ++cur_len_;
      update_improvement_possible();
      if (!should_continue(hits)) break;
      std::vector<int64_t> rows;
      for (const auto& beams : running_)
        for (const Hypothesis& h : beams) rows.push_back(h.beam_indices.back());
      model.reorder(rows);
      logits = model.next(flat_running());
    }
    finish(output);
    return output;
  }

 private:
  Sequences flat_running() const {
    Sequences rows;
    for (const auto& beams : running_)
      for (const Hypothesis& h : beams) rows.push_back(h.tokens);
    return rows;
  }

  // log_softmax of the logits (the op's vectorized kernel, as torch computes it in f32), then the
  // processors; recorded when asked.
  Tensor step_scores(const Tensor& logits, GenerateOutput& output) const {
    Tensor scores = apply_logits_processors(decoding_.processors, as_tensor(flat_running()),
                                            ops::log_softmax(logits, -1));
    if (config_.output_logits.value_or(false)) output.logits.push_back(logits);
    if (config_.output_scores.value_or(false)) output.scores.push_back(scores);
    return scores;
  }

  // The beams_to_keep best (or sampled) continuations of each batch item's beams, best first.
  std::vector<std::vector<Hypothesis>> top_continuations(ScoreRows scores) {
    const int64_t vocab = scores.vocab;
    std::vector<std::vector<Hypothesis>> all;
    for (int64_t b = 0; b < batch_; ++b) {
      std::vector<float> accumulated(static_cast<size_t>(num_beams_ * vocab));
      for (int64_t j = 0; j < num_beams_; ++j) {
        const float* row = scores.row(b * num_beams_ + j);
        for (int64_t v = 0; v < vocab; ++v)
          accumulated[static_cast<size_t>(j * vocab + v)] = row[v] + running_[b][j].score;
      }
      std::vector<size_t> chosen;
      if (config_.sampling()) {
        for (int64_t index :
             sampler_.sample_without_replacement(accumulated.data(), num_beams_ * vocab, beams_to_keep_))
          chosen.push_back(static_cast<size_t>(index));
      } else {
        chosen = top_k(accumulated, static_cast<size_t>(beams_to_keep_));
      }
      std::vector<Hypothesis> candidates;
      for (size_t index : chosen) {
        const int64_t beam = static_cast<int64_t>(index) / vocab;
        Hypothesis h = running_[b][beam];
        h.tokens.push_back(static_cast<int64_t>(index) % vocab);
        h.score = accumulated[index];
        h.beam_indices.push_back(b * num_beams_ + beam);
        candidates.push_back(std::move(h));
      }
      all.push_back(std::move(candidates));
    }
    return all;
  }

  std::vector<std::vector<bool>> hit_stopping_criteria(const std::vector<std::vector<Hypothesis>>& candidates) const {
    Sequences rows;
    for (const auto& batch_item : candidates)
      for (const Hypothesis& h : batch_item) rows.push_back(h.tokens);
    const std::vector<bool> flat = apply_stopping_criteria(decoding_.criteria, as_tensor(rows));
    std::vector<std::vector<bool>> hits;
    for (size_t b = 0, i = 0; b < candidates.size(); ++b) {
      hits.emplace_back();
      for (size_t k = 0; k < candidates[b].size(); ++k) hits.back().push_back(flat[i++]);
    }
    return hits;
  }

  // The best num_beams continuations that did not just finish run on.
  void choose_running(const std::vector<std::vector<Hypothesis>>& candidates,
                      const std::vector<std::vector<bool>>& hits) {
    for (int64_t b = 0; b < batch_; ++b) {
      std::vector<float> scores;
      for (size_t k = 0; k < candidates[b].size(); ++k)
        scores.push_back(candidates[b][k].score + penalty_if(hits[b][k]));
      std::vector<Hypothesis> running;
      for (size_t k : top_k(scores, static_cast<size_t>(num_beams_))) {
        running.push_back(candidates[b][k]);
        running.back().score = scores[k];
      }
      running_[b] = std::move(running);
    }
  }

  // Continuations among the top num_beams that hit a stopping criterion compete, length-normalized,
  // with the finished hypotheses for their num_beams places.
  void update_finished(const std::vector<std::vector<Hypothesis>>& candidates,
                       const std::vector<std::vector<bool>>& hits) {
    const float length_norm = static_cast<float>(
        std::pow(static_cast<double>(cur_len_ + 1 - prompt_length_), config_.length_penalty.value_or(1.0)));
    const bool stop_when_full = config_.early_stopping == EarlyStopping::True;
    for (int64_t b = 0; b < batch_; ++b) {
      const bool full = stop_when_full && std::all_of(finished_[b].begin(), finished_[b].end(),
                                                      [](const Hypothesis& h) { return h.finished; });
      std::vector<Hypothesis> merged = finished_[b];
      for (size_t k = 0; k < candidates[b].size(); ++k) {
        const bool just_finished = hits[b][k] && static_cast<int64_t>(k) < num_beams_;
        Hypothesis h = candidates[b][k];
        h.score = h.score / length_norm;
        h.score += penalty_if(full);
        h.score += penalty_if(!improvement_possible_[static_cast<size_t>(b)]);
        h.score += penalty_if(!just_finished);
        h.finished = just_finished;
        merged.push_back(std::move(h));
      }
      std::vector<float> scores;
      for (const Hypothesis& h : merged) scores.push_back(h.score);
      std::vector<Hypothesis> kept;
      for (size_t i : top_k(scores, static_cast<size_t>(num_beams_))) kept.push_back(merged[i]);
      finished_[b] = std::move(kept);
    }
  }

  // transformers' _check_early_stop_heuristic: can the best running beam still beat the worst
  // finished hypothesis?
  void update_improvement_possible() {
    const double length_penalty = config_.length_penalty.value_or(1.0);
    const int64_t best_length = config_.early_stopping == EarlyStopping::Never && length_penalty > 0.0
                                    ? config_.max_length.value_or(cur_len_) - prompt_length_
                                    : cur_len_ - prompt_length_;
    const float norm = static_cast<float>(std::pow(static_cast<double>(best_length), length_penalty));
    for (int64_t b = 0; b < batch_; ++b) {
      const float best_possible = running_[b][0].score / norm;
      float worst_finished = finished_[b][0].score;
      for (const Hypothesis& h : finished_[b]) worst_finished = std::min(worst_finished, h.score);
      bool can_improve = false;
      for (const Hypothesis& h : finished_[b])
        can_improve = can_improve || best_possible > (h.finished ? worst_finished : -kLarge);
      improvement_possible_[static_cast<size_t>(b)] = improvement_possible_[static_cast<size_t>(b)] && can_improve;
    }
  }

  bool should_continue(const std::vector<std::vector<bool>>& hits) const {
    const bool improvement =
        std::any_of(improvement_possible_.begin(), improvement_possible_.end(), [](bool x) { return x; });
    bool all_finished = true, all_hit = true;
    for (const auto& beams : finished_)
      for (const Hypothesis& h : beams) all_finished = all_finished && h.finished;
    for (const auto& batch_item : hits)
      for (bool hit : batch_item) all_hit = all_hit && hit;
    const bool open_beam = !(all_finished && config_.early_stopping == EarlyStopping::True);
    return improvement && open_beam && !all_hit;
  }

  // The best num_return_sequences hypotheses per batch item, padded to the longest; transformers
  // pads with pad_token_id when it is set and not 0, else the first eos, and -1 without eos.
  void finish(GenerateOutput& output) const {
    const int64_t returned = config_.num_return_sequences.value_or(1);
    const std::optional<std::vector<int64_t>>& eos = config_.eos_token_id;
    const int64_t fill = !eos ? -1 : config_.pad_token_id.value_or(0) != 0 ? *config_.pad_token_id : eos->front();
    size_t generated = 0;
    for (const auto& beams : finished_)
      for (int64_t i = 0; i < returned; ++i) generated = std::max(generated, beams[i].beam_indices.size());
    Sequences sequences, beam_indices;
    std::vector<float> scores;
    for (const auto& beams : finished_)
      for (int64_t i = 0; i < returned; ++i) {
        const Hypothesis& h = beams[i];
        sequences.push_back(h.tokens);
        sequences.back().resize(static_cast<size_t>(prompt_length_) + generated, fill);
        beam_indices.push_back(h.beam_indices);
        beam_indices.back().resize(generated, -1);
        scores.push_back(h.score);
      }
    output.sequences = as_tensor(sequences);
    output.beam_indices = as_tensor(beam_indices);
    output.sequences_scores = Tensor::from_vector(scores, {static_cast<int64_t>(scores.size())});
  }

  const Decoding& decoding_;
  const GenerationConfig& config_;
  int64_t num_beams_, batch_, prompt_length_, cur_len_, beams_to_keep_ = 0;
  TokenSampler sampler_;
  std::vector<std::vector<Hypothesis>> running_, finished_;  // [batch][num_beams]
  std::vector<bool> improvement_possible_;                   // per batch item
};

}  // namespace

GenerateOutput beam_search(ModelStepper& model, const Sequences& prompt, const Decoding& decoding) {
  return BeamSearch(prompt, decoding).run(model);
}

}  // namespace transformers::generation_detail
