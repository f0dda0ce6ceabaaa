#pragma once
// DeBERTa-v2 and v3, read top to bottom like transformers' modeling_deberta_v2.py: embeddings
// (word, optional absolute positions and token types, optional projection), a stack of post-norm
// layers with disentangled self-attention (content->content plus content->position and
// position->content terms over log-bucketed relative positions), the optional convolution after
// the first layer, the ContextPooler, and the task heads.
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/encoder_model.hpp"
#include "transformers/models/model_with_head.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers {

struct DebertaV2Config : EncoderConfig {
  int64_t type_vocab_size;
  int64_t embedding_size;       // defaults to hidden_size; otherwise embed_proj maps it to hidden_size
  int64_t attention_head_size;  // defaults to hidden_size / num_attention_heads
  bool position_biased_input;
  bool relative_attention;
  int64_t max_relative_positions;  // resolved: < 1 in the file means max_position_embeddings
  int64_t position_buckets;        // > 0: log-bucketed relative positions; <= 0: plain
  bool share_att_key;
  bool c2p, p2c;                 // the entries of pos_att_type that the attention uses
  bool norm_rel_ebd_layer_norm;  // norm_rel_ebd contains "layer_norm"
  int64_t conv_kernel_size, conv_groups;
  std::string conv_act;
  int64_t pooler_hidden_size;
  std::string pooler_hidden_act;
  bool legacy;

  // The relative embeddings' half span: position_buckets if > 0, else max_relative_positions.
  int64_t pos_ebd_size() const { return position_buckets > 0 ? position_buckets : max_relative_positions; }
  // 1 + one per relative term; the scores are divided by sqrt(head_size * scale_factor).
  int64_t scale_factor() const { return 1 + (c2p ? 1 : 0) + (p2c ? 1 : 0); }

  // transformers' DebertaV2Config defaults (and the getattr defaults of modeling_deberta_v2.py)
  // for anything config.json leaves out.
  static DebertaV2Config from(const PretrainedConfig& c) {
    DebertaV2Config d{};
    static_cast<EncoderConfig&>(d) = read(c, {.vocab_size = 128100,
                                              .hidden_size = 1536,
                                              .num_hidden_layers = 24,
                                              .num_attention_heads = 24,
                                              .intermediate_size = 6144,
                                              .max_position_embeddings = 512,
                                              .hidden_act = "gelu",
                                              .layer_norm_eps = 1e-7,
                                              .tie_word_embeddings = true});
    d.type_vocab_size = c.get<int64_t>("type_vocab_size", 0);
    d.embedding_size = c.get<int64_t>("embedding_size", d.hidden_size);
    d.position_biased_input = c.get<bool>("position_biased_input", true);
    d.relative_attention = c.get<bool>("relative_attention", false);
    d.max_relative_positions = c.get<int64_t>("max_relative_positions", -1);
    if (d.max_relative_positions < 1) d.max_relative_positions = d.max_position_embeddings;
    d.position_buckets = c.get<int64_t>("position_buckets", -1);
    d.share_att_key = c.get<bool>("share_att_key", false);
    d.conv_kernel_size = c.get<int64_t>("conv_kernel_size", 0);
    d.conv_groups = c.get<int64_t>("conv_groups", 1);
    d.conv_act = c.get<std::string>("conv_act", "tanh");
    d.pooler_hidden_size = c.get<int64_t>("pooler_hidden_size", d.hidden_size);
    d.pooler_hidden_act = c.get<std::string>("pooler_hidden_act", "gelu");
    d.legacy = c.get<bool>("legacy", true);

    // pos_att_type: a list (["p2c", "c2p"]) or, in older files, a string "p2c|c2p". Entries other
    // than c2p and p2c (DeBERTa v1's p2p) are ignored, as transformers ignores them.
    for (const std::string& entry : split_lower(c, "pos_att_type")) {
      if (entry == "c2p") d.c2p = true;
      if (entry == "p2c") d.p2c = true;
    }
    for (const std::string& entry : split_lower(c, "norm_rel_ebd"))
      if (entry == "layer_norm") d.norm_rel_ebd_layer_norm = true;

    if (d.num_attention_heads <= 0 ||
        (!c.raw.contains("attention_head_size") && d.hidden_size % d.num_attention_heads != 0))
      throw FileError(c.source + ": hidden_size " + std::to_string(d.hidden_size) +
                      " is not a multiple of num_attention_heads " + std::to_string(d.num_attention_heads));
    d.attention_head_size = c.get<int64_t>("attention_head_size", d.hidden_size / d.num_attention_heads);
    if (d.conv_kernel_size > 0 && d.conv_groups != 1)
      throw FileError(c.source + ": conv_groups " + std::to_string(d.conv_groups) +
                      " is not supported (only 1, as in the released DeBERTa-v2 checkpoints)");
    if (d.conv_kernel_size > 0 && d.conv_kernel_size % 2 == 0)
      throw FileError(c.source + ": conv_kernel_size " + std::to_string(d.conv_kernel_size) +
                      " is not supported (an even kernel changes the sequence length; transformers fails on it too)");
    if (d.relative_attention && d.pos_ebd_size() <= 0)
      throw FileError(c.source + ": relative_attention needs max_relative_positions or position_buckets > 0");
    return d;
  }

 private:
  static std::vector<std::string> split_lower(const PretrainedConfig& c, const std::string& key) {
    std::vector<std::string> raw_entries;
    auto it = c.raw.find(key);
    if (it == c.raw.end() || it->is_null()) return {};
    if (it->is_string()) {
      std::string text = it->get<std::string>(), piece;
      for (char ch : text + "|") {
        if (ch == '|') {
          raw_entries.push_back(piece);
          piece.clear();
        } else {
          piece += ch;
        }
      }
    } else {
      raw_entries = c.get<std::vector<std::string>>(key, {});
    }
    std::vector<std::string> out;
    for (std::string s : raw_entries) {
      const size_t first = s.find_first_not_of(" \t"), last = s.find_last_not_of(" \t");
      s = first == std::string::npos ? "" : s.substr(first, last - first + 1);
      for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back(s);
    }
    return out;
  }
};

namespace deberta_v2 {

// make_log_bucket_position for one relative position, in float32 as torch computes it: positions
// within +-bucket_size/2 stay as they are, farther ones are compressed logarithmically so that
// max_position - 1 maps to +-(bucket_size - 1).
inline int64_t log_bucket_position(int64_t relative_pos, int64_t bucket_size, int64_t max_position) {
  const int64_t mid = bucket_size / 2;
  const int64_t sign = (relative_pos > 0) - (relative_pos < 0);
  const int64_t abs_pos =
      (relative_pos < mid && relative_pos > -mid) ? mid - 1 : (relative_pos < 0 ? -relative_pos : relative_pos);
  if (abs_pos <= mid) return relative_pos;
  const float ratio = static_cast<float>(abs_pos) / static_cast<float>(mid);
  const float log_max = std::log(static_cast<float>(static_cast<double>(max_position - 1) / static_cast<double>(mid)));
  const float log_pos = std::ceil(std::log(ratio) / log_max * static_cast<float>(mid - 1)) + static_cast<float>(mid);
  return static_cast<int64_t>(log_pos * static_cast<float>(sign));
}

// build_relative_position: [queries * keys] of (query index - key index), bucketed when
// bucket_size > 0 (row-major, query-major).
inline std::vector<int64_t> build_relative_position(int64_t query_size, int64_t key_size, int64_t bucket_size,
                                                    int64_t max_position) {
  std::vector<int64_t> rel(static_cast<size_t>(query_size * key_size));
  for (int64_t i = 0; i < query_size; ++i)
    for (int64_t j = 0; j < key_size; ++j) {
      const int64_t r = i - j;
      rel[static_cast<size_t>(i * key_size + j)] =
          bucket_size > 0 && max_position > 0 ? log_bucket_position(r, bucket_size, max_position) : r;
    }
  return rel;
}

// The gather indices of the two relative terms, [1, 1, seq, seq] each:
// c2p_pos = clamp(rel + span, 0, 2 span - 1), p2c_pos = clamp(-rel + span, 0, 2 span - 1).
struct RelativeIndices {
  Tensor c2p, p2c;
};

inline RelativeIndices relative_indices(int64_t seq, const DebertaV2Config& c, Device device) {
  const std::vector<int64_t> rel = build_relative_position(seq, seq, c.position_buckets, c.max_relative_positions);
  const int64_t span = c.pos_ebd_size();
  auto clamp = [span](int64_t v) { return v < 0 ? 0 : (v > 2 * span - 1 ? 2 * span - 1 : v); };
  std::vector<int64_t> c2p(rel.size()), p2c(rel.size());
  for (size_t i = 0; i < rel.size(); ++i) {
    c2p[i] = clamp(rel[i] + span);
    p2c[i] = clamp(-rel[i] + span);
  }
  return {Tensor::from_vector(c2p, {1, 1, seq, seq}).to(device), Tensor::from_vector(p2c, {1, 1, seq, seq}).to(device)};
}

// get_attention_mask + masked_fill as an additive mask [batch, 1, seq, seq]: 0 where both the
// query and the key are tokens, finfo(float32).min elsewhere (so padded query rows attend
// uniformly, as transformers' fully masked rows do).
inline Tensor pairwise_additive_mask(const Tensor& attention_mask) {
  const int64_t batch = attention_mask.size(0), seq = attention_mask.size(1);
  const std::vector<int64_t> m = attention_mask.to(Device::cpu()).to(DType::I64).contiguous().to_vector<int64_t>();
  std::vector<float> out(static_cast<size_t>(batch * seq * seq));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < seq; ++i)
      for (int64_t j = 0; j < seq; ++j)
        out[static_cast<size_t>((b * seq + i) * seq + j)] =
            m[static_cast<size_t>(b * seq + i)] != 0 && m[static_cast<size_t>(b * seq + j)] != 0
                ? 0.0f
                : std::numeric_limits<float>::lowest();
  return Tensor::from_vector(out, {batch, 1, seq, seq}).to(attention_mask.device());
}

struct Embeddings {
  nn::Embedding word_embeddings, position_embeddings, token_type_embeddings;  // the last two optional
  nn::Linear embed_proj;                                                      // embedding_size != hidden_size
  nn::LayerNorm norm;

  static Embeddings load(const nn::Weights& w, const std::string& p, const DebertaV2Config& c) {
    Embeddings e;
    e.word_embeddings = nn::Embedding::load(w, p + ".word_embeddings", c.vocab_size, c.embedding_size);
    if (c.position_biased_input)
      e.position_embeddings =
          nn::Embedding::load(w, p + ".position_embeddings", c.max_position_embeddings, c.embedding_size);
    if (c.type_vocab_size > 0)
      e.token_type_embeddings =
          nn::Embedding::load(w, p + ".token_type_embeddings", c.type_vocab_size, c.embedding_size);
    if (c.embedding_size != c.hidden_size)
      e.embed_proj = nn::Linear::load(w, p + ".embed_proj", c.embedding_size, c.hidden_size, false);
    e.norm = nn::LayerNorm::load(w, p + ".LayerNorm", c.hidden_size, c.layer_norm_eps);
    return e;
  }

  // LayerNorm(proj(word + position + token_type)) * mask: padded positions come out as zeros.
  Tensor operator()(const Tensor& input_ids, const Tensor& token_type_ids, const Tensor& mask) const {
    const int64_t seq = input_ids.size(1);
    Tensor embeddings = word_embeddings(input_ids);
    if (position_embeddings.weight.defined()) {
      if (seq > position_embeddings.weight.size(0))
        throw InvalidArgument("DeBERTa-v2: sequence of " + std::to_string(seq) +
                              " tokens exceeds max_position_embeddings " +
                              std::to_string(position_embeddings.weight.size(0)));
      embeddings = ops::add(embeddings, position_embeddings(Tensor::arange(seq)));
    }
    if (token_type_embeddings.weight.defined()) {
      Tensor types = token_type_ids.defined() ? token_type_ids : Tensor::zeros(input_ids.shape(), DType::I64);
      embeddings = ops::add(embeddings, token_type_embeddings(types));
    }
    if (embed_proj.weight.defined()) embeddings = embed_proj(embeddings);
    embeddings = norm(embeddings);
    return ops::mul(embeddings, ops::cast(mask, DType::F32).unsqueeze(2));
  }
};

// DisentangledSelfAttention + DebertaV2SelfOutput.
struct Attention {
  nn::Linear query_proj, key_proj, value_proj;
  nn::Linear pos_key_proj, pos_query_proj;  // only without share_att_key
  nn::Linear dense;                         // attention.output.dense
  nn::LayerNorm norm;                       // attention.output.LayerNorm
  int64_t heads = 0, head_size = 0;
  bool relative_attention = false, share_att_key = false, c2p = false, p2c = false;
  int64_t span = 0;
  float scale = 1.0f;  // 1 / sqrt(head_size * scale_factor)

  static Attention load(const nn::Weights& w, const std::string& p, const DebertaV2Config& c) {
    Attention a;
    const int64_t h = c.hidden_size, all = c.num_attention_heads * c.attention_head_size;
    a.query_proj = nn::Linear::load(w, p + ".self.query_proj", h, all);
    a.key_proj = nn::Linear::load(w, p + ".self.key_proj", h, all);
    a.value_proj = nn::Linear::load(w, p + ".self.value_proj", h, all);
    a.relative_attention = c.relative_attention;
    a.share_att_key = c.share_att_key;
    a.c2p = c.c2p;
    a.p2c = c.p2c;
    if (c.relative_attention && !c.share_att_key) {
      if (c.c2p) a.pos_key_proj = nn::Linear::load(w, p + ".self.pos_key_proj", h, all);
      if (c.p2c) a.pos_query_proj = nn::Linear::load(w, p + ".self.pos_query_proj", h, all);
    }
    a.dense = nn::Linear::load(w, p + ".output.dense", all, h);
    a.norm = nn::LayerNorm::load(w, p + ".output.LayerNorm", h, c.layer_norm_eps);
    a.heads = c.num_attention_heads;
    a.head_size = c.attention_head_size;
    a.span = c.pos_ebd_size();
    // torch.sqrt(torch.tensor(head_size, dtype=float) * scale_factor), in float32.
    a.scale = 1.0f / std::sqrt(static_cast<float>(c.attention_head_size) * static_cast<float>(c.scale_factor()));
    return a;
  }

  // hidden [batch, seq, hidden]; mask additive [batch, 1, seq, seq]; rel_embeddings
  // [2 span, hidden] (already normalized) and the gather indices when relative_attention.
  Tensor operator()(const Tensor& hidden, const Tensor& mask, const Tensor& rel_embeddings,
                    const RelativeIndices& rel) const {
    const Tensor query = nn::split_heads(query_proj(hidden), heads);  // [batch, heads, seq, head_size]
    const Tensor key = nn::split_heads(key_proj(hidden), heads);
    const Tensor value = nn::split_heads(value_proj(hidden), heads);
    Tensor scores = ops::matmul(query, key, false, true, scale);  // [batch, heads, seq, seq]
    if (relative_attention) scores = ops::add(scores, disentangled_attention_bias(query, key, rel_embeddings, rel));
    const Tensor probs = ops::softmax(scores, -1, mask);
    const Tensor context = nn::merge_heads(ops::matmul(probs, value));
    return norm(dense(context, {.residual = hidden}));
  }

  // c2p: query . pos_key(r)^T gathered at c2p_pos[i, j]; p2c: key . pos_query(r)^T gathered at
  // p2c_pos[j, i] and transposed; each divided by the same scale as the content scores.
  Tensor disentangled_attention_bias(const Tensor& query, const Tensor& key, const Tensor& rel_embeddings,
                                     const RelativeIndices& rel) const {
    const int64_t batch = query.size(0), seq = query.size(2);
    const Tensor r = rel_embeddings.narrow(0, 0, 2 * span).unsqueeze(0);  // [1, 2 span, hidden]
    const Shape index_shape{batch, heads, seq, seq};
    Tensor score;
    if (c2p) {
      const Tensor pos_key =
          nn::split_heads(share_att_key ? key_proj(r) : pos_key_proj(r), heads);  // [1, heads, 2 span, d]
      Tensor c2p_att = ops::matmul(query, pos_key, false, true);                  // [batch, heads, seq, 2 span]
      c2p_att = ops::gather(c2p_att, -1, rel.c2p.expand(index_shape));
      score = ops::scale(c2p_att, scale);
    }
    if (p2c) {
      const Tensor pos_query = nn::split_heads(share_att_key ? query_proj(r) : pos_query_proj(r), heads);
      Tensor p2c_att = ops::matmul(key, pos_query, false, true);  // [batch, heads, seq(keys), 2 span]
      p2c_att = ops::gather(p2c_att, -1, rel.p2c.expand(index_shape)).transpose(-1, -2);
      p2c_att = ops::scale(p2c_att, scale);
      score = score.defined() ? ops::add(score, p2c_att) : p2c_att;
    }
    return score.defined() ? score : Tensor::zeros({1, 1, 1, 1}, DType::F32, query.device());
  }
};

// DebertaV2Layer: attention, then intermediate (dense + act) and output (dense + residual + LayerNorm).
struct Layer {
  Attention attention;
  nn::Linear intermediate, output;
  nn::LayerNorm output_norm;
  std::string activation;

  static Layer load(const nn::Weights& w, const std::string& p, const DebertaV2Config& c) {
    return {Attention::load(w, p + ".attention", c),
            nn::Linear::load(w, p + ".intermediate.dense", c.hidden_size, c.intermediate_size),
            nn::Linear::load(w, p + ".output.dense", c.intermediate_size, c.hidden_size),
            nn::LayerNorm::load(w, p + ".output.LayerNorm", c.hidden_size, c.layer_norm_eps), c.hidden_act};
  }

  Tensor operator()(const Tensor& hidden, const Tensor& mask, const Tensor& rel_embeddings,
                    const RelativeIndices& rel) const {
    const Tensor attended = attention(hidden, mask, rel_embeddings, rel);
    return output_norm(output(intermediate(attended, {.activation = activation}), {.residual = attended}));
  }
};

// ConvLayer (deberta-v2-xlarge/xxlarge): a same-padded Conv1d over the embedding output, zeroed
// at padding, activated, added to the first layer's output and normalized, then masked.
struct ConvLayer {
  Tensor weight;  // [hidden, hidden, kernel]
  Tensor bias;    // [hidden]
  nn::LayerNorm norm;
  int64_t kernel_size = 0;
  std::string activation;

  static ConvLayer load(const nn::Weights& w, const std::string& p, const DebertaV2Config& c) {
    ConvLayer conv;
    conv.weight = w.get(p + ".conv.weight", {c.hidden_size, c.hidden_size, c.conv_kernel_size});
    conv.bias = w.get(p + ".conv.bias", {c.hidden_size});
    conv.norm = nn::LayerNorm::load(w, p + ".LayerNorm", c.hidden_size, c.layer_norm_eps);
    conv.kernel_size = c.conv_kernel_size;
    conv.activation = c.conv_act;
    return conv;
  }

  // hidden: the embedding output, residual: the first layer's output, mask [batch, seq, 1] f32.
  Tensor operator()(const Tensor& hidden, const Tensor& residual, const Tensor& mask) const {
    const int64_t batch = hidden.size(0), seq = hidden.size(1), dim = hidden.size(2), pad = (kernel_size - 1) / 2;
    const Tensor zeros = Tensor::zeros({batch, pad, dim}, DType::F32, hidden.device());
    const Tensor padded = pad > 0 ? ops::concat({zeros, hidden, zeros}, 1) : hidden;
    // out[t] = bias + sum_k weight[:, :, k] . padded[t + k]
    Tensor out;
    for (int64_t k = 0; k < kernel_size; ++k) {
      const Tensor tap =
          ops::linear(padded.narrow(1, k, seq), weight.select(2, k).contiguous(), k == 0 ? bias : Tensor{});
      out = out.defined() ? ops::add(out, tap) : tap;
    }
    out = ops::activation(ops::mul(out, mask), activation);
    return ops::mul(norm(ops::add(residual, out)), mask);
  }
};

}  // namespace deberta_v2

class DebertaV2Model final : public EncoderModel<DebertaV2Config> {
 public:
  static constexpr const char* base_model_prefix = "deberta";
  // A deberta-v3-small layout (relative attention over log buckets, both relative terms, shared
  // position projections) as small as transformers' model testers use, for tests and benchmarks.
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99},
            {"hidden_size", 32},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 4},
            {"intermediate_size", 37},
            {"max_position_embeddings", 64},
            {"num_labels", 3},
            {"relative_attention", true},
            {"position_buckets", 8},
            {"pos_att_type", nlohmann::json::array({"p2c", "c2p"})},
            {"norm_rel_ebd", "layer_norm"},
            {"share_att_key", true},
            {"position_biased_input", false}};
  }

  DebertaV2Model(const PretrainedConfig& config, const nn::Weights& w) : EncoderModel(config) {
    const std::string p = base_model_prefix;
    const DebertaV2Config& c = family_config();
    embeddings_ = deberta_v2::Embeddings::load(w, p + ".embeddings", c);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i)
      layers_.push_back(deberta_v2::Layer::load(w, p + ".encoder.layer." + std::to_string(i), c));
    if (c.relative_attention) {
      rel_embeddings_ = w.get(p + ".encoder.rel_embeddings.weight", {2 * c.pos_ebd_size(), c.hidden_size});
      // get_rel_embedding: the LayerNorm (norm_rel_ebd "layer_norm") is input-independent, so it
      // is applied once here.
      if (c.norm_rel_ebd_layer_norm)
        rel_embeddings_ =
            nn::LayerNorm::load(w, p + ".encoder.LayerNorm", c.hidden_size, c.layer_norm_eps)(rel_embeddings_);
    }
    if (c.conv_kernel_size > 0) conv_ = deberta_v2::ConvLayer::load(w, p + ".encoder.conv", c);
  }

  ModelOutput forward(const ModelInputs& given, bool output_hidden_states = false) const override {
    const ModelInputs in = inputs_on(given, embeddings_.word_embeddings.weight.device());
    const int64_t seq = in.input_ids.size(1);
    const Tensor mask = attention_mask_or_ones(in);
    const Tensor embedding_output = embeddings_(in.input_ids, in.token_type_ids, mask);
    const Tensor additive_mask = deberta_v2::pairwise_additive_mask(mask);
    deberta_v2::RelativeIndices rel;
    if (family_config().relative_attention)
      rel = deberta_v2::relative_indices(seq, family_config(), in.input_ids.device());

    ModelOutput out;
    if (output_hidden_states) out.hidden_states.push_back(embedding_output);
    Tensor hidden = embedding_output;
    for (size_t i = 0; i < layers_.size(); ++i) {
      hidden = layers_[i](hidden, additive_mask, rel_embeddings_, rel);
      if (i == 0 && conv_.weight.defined())
        hidden = conv_(embedding_output, hidden, ops::cast(mask, DType::F32).unsqueeze(2));
      if (output_hidden_states) out.hidden_states.push_back(hidden);
    }
    out.last_hidden_state = hidden;
    return out;
  }

  const Tensor& word_embeddings() const { return embeddings_.word_embeddings.weight; }

 private:
  deberta_v2::Embeddings embeddings_;
  std::vector<deberta_v2::Layer> layers_;
  Tensor rel_embeddings_;
  deberta_v2::ConvLayer conv_;
};

// ContextPooler (pooler.dense + pooler_hidden_act on h[:, 0]) then classifier. Single-label,
// multi-label and regression differ only in the loss and in how a pipeline reads the logits.
class DebertaV2ForSequenceClassification final
    : public ModelWithHead<DebertaV2Model, nn::FirstTokenClassificationHead> {
 public:
  DebertaV2ForSequenceClassification(const PretrainedConfig& config, const nn::Weights& w) : ModelWithHead(config, w) {
    const DebertaV2Config& c = base_.family_config();
    head_ = nn::FirstTokenClassificationHead::load(w, "pooler.dense", "classifier", c.pooler_hidden_size,
                                                   config.num_labels(), c.pooler_hidden_act);
  }
};

using DebertaV2ForTokenClassification = ForTokenClassification<DebertaV2Model>;
using DebertaV2ForQuestionAnswering = ForQuestionAnswering<DebertaV2Model>;

// config.legacy (the default): cls.predictions = transform (dense hidden -> embedding_size, act,
// LayerNorm) then a decoder tied to the word embeddings with cls.predictions.bias; a checkpoint
// without the decoder's weight is tied whatever tie_word_embeddings says.
// legacy false: lm_predictions.lm_head (dense, act, LayerNorm, x . word_embeddings^T + bias): the
// head is its own decoder, always tied, its bias lm_predictions.lm_head.bias.
class DebertaV2ForMaskedLM final : public ModelWithHead<DebertaV2Model, nn::MaskedLmHead> {
 public:
  DebertaV2ForMaskedLM(const PretrainedConfig& config, const nn::Weights& w) : ModelWithHead(config, w) {
    const DebertaV2Config& c = base_.family_config();
    if (c.legacy) {
      const std::string p = "cls.predictions";
      const bool tie = c.tie_word_embeddings || !w.contains(p + ".decoder.weight");
      head_ =
          nn::MaskedLmHead::load(w, {p + ".transform.dense", p + ".transform.LayerNorm", p + ".decoder", p + ".bias"},
                                 c.hidden_size, c.hidden_act, c.layer_norm_eps, base_.word_embeddings(), tie);
      return;
    }
    if (c.embedding_size != c.hidden_size)
      throw FileError(config.source + ": legacy false with embedding_size " + std::to_string(c.embedding_size) +
                      " != hidden_size " + std::to_string(c.hidden_size) +
                      " is not supported (the head multiplies hidden states by the word embeddings)");
    const std::string p = "lm_predictions.lm_head";
    head_ = nn::MaskedLmHead::load(w, {p + ".dense", p + ".LayerNorm", p, p + ".bias"}, c.hidden_size, c.hidden_act,
                                   c.layer_norm_eps, base_.word_embeddings(), true);
  }
};

}  // namespace transformers
