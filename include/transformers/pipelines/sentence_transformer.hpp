#pragma once
// Sentence embeddings the way sentence-transformers makes them from a model folder: the modules
// listed in modules.json (Transformer -> Pooling -> optional Normalize), the pooling mode from
// 1_Pooling/config.json and the truncation length from sentence_bert_config.json.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/core/json_nesting.hpp"
#include "transformers/io/safe_path.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/pipelines/model_inputs.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers {

enum class Pooling { Mean, Cls, Max, MeanSqrtLen };

class SentenceTransformer {
 public:
  static SentenceTransformer from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {},
                                             Device device = Device::cpu()) {
    namespace fs = std::filesystem;
    const fs::path folder = hub::resolve_model_path(path_or_id, options);
    SentenceTransformer st(AutoModel::from_pretrained(folder.string(), {}, device),
                           AutoTokenizer::from_pretrained(folder.string()));
    const nlohmann::json modules = read_json(folder / "modules.json");
    if (!modules.is_array()) throw FileError((folder / "modules.json").string() + ": expected a list of modules");
    for (const nlohmann::json& module : modules) {
      const std::string type = module.value("type", std::string());
      if (type.ends_with(".Transformer")) continue;
      if (type.ends_with(".Pooling")) {
        // The module's folder comes from the file: it must stay inside the model folder.
        const fs::path path =
            io::join_inside(folder, module.value("path", std::string()),
                            (folder / "modules.json").string() + ": the path of module '" + type + "'");
        st.pooling_ = read_pooling(path / "config.json");
      } else if (type.ends_with(".Normalize"))
        st.normalize_ = true;
      else
        throw FileError((folder / "modules.json").string() + ": module type '" + type + "' is not supported");
    }
    const nlohmann::json sbert = fs::exists(folder / "sentence_bert_config.json")
                                     ? read_json(folder / "sentence_bert_config.json")
                                     : nlohmann::json::object();
    if (sbert.contains("max_seq_length")) st.max_seq_length_ = sbert["max_seq_length"].get<size_t>();
    return st;
  }

  // [sentences, dim] embeddings, computed one batch at a time (padding never changes them).
  Tensor encode(const std::vector<std::string>& sentences, size_t batch_size = 32) const {
    std::vector<float> rows;
    int64_t dim = 0;
    for (size_t start = 0; start < sentences.size(); start += batch_size) {
      std::vector<std::string> chunk(
          sentences.begin() + static_cast<int64_t>(start),
          sentences.begin() + static_cast<int64_t>(std::min(sentences.size(), start + batch_size)));
      TokenizeOptions options;
      options.padding = PaddingStrategy::Longest;
      options.truncation = true;
      options.max_length = max_seq_length_;
      BatchEncoding batch = tokenizer_(chunk, options);
      Tensor pooled = pool(model_->forward(model_inputs(batch)).last_hidden_state, batch.attention_mask);
      dim = pooled.size(1);
      std::vector<float> values = pooled.to_vector<float>();
      rows.insert(rows.end(), values.begin(), values.end());
    }
    return Tensor::from_vector(rows, {static_cast<int64_t>(sentences.size()), dim});
  }

  Pooling pooling() const { return pooling_; }
  bool normalizes() const { return normalize_; }
  const PreTrainedTokenizerFast& tokenizer() const { return tokenizer_; }
  // sentence_bert_config.json's max_seq_length: where encode() truncates (nullopt: the tokenizer's limit).
  std::optional<size_t> max_seq_length() const { return max_seq_length_; }

 private:
  SentenceTransformer(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer)
      : model_(std::move(model)), tokenizer_(std::move(tokenizer)) {}

  static nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw FileError(path.string() + ": cannot open");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    check_json_nesting(text, path.string());
    try {
      return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw FileError(path.string() + ": not valid JSON: " + e.what());
    }
  }

  static Pooling read_pooling(const std::filesystem::path& path) {
    const nlohmann::json c = read_json(path);
    if (c.value("pooling_mode_mean_tokens", false)) return Pooling::Mean;
    if (c.value("pooling_mode_cls_token", false)) return Pooling::Cls;
    if (c.value("pooling_mode_max_tokens", false)) return Pooling::Max;
    if (c.value("pooling_mode_mean_sqrt_len_tokens", false)) return Pooling::MeanSqrtLen;
    throw FileError(path.string() + ": no supported pooling_mode_* is true");
  }

  // hidden [batch, seq, dim], mask [batch, seq] -> [batch, dim], pooled over real tokens.
  Tensor pool(const Tensor& hidden, const Tensor& mask) const {
    const int64_t batch = hidden.size(0), seq = hidden.size(1), dim = hidden.size(2);
    std::vector<float> h = hidden.to_vector<float>(), out(static_cast<size_t>(batch * dim), 0.0f);
    std::vector<int64_t> m = mask.to_vector<int64_t>();
    for (int64_t b = 0; b < batch; ++b) {
      float* row = out.data() + b * dim;
      int64_t count = 0;
      if (pooling_ == Pooling::Max) std::fill(row, row + dim, -1e9f);  // sentence-transformers' fill value
      for (int64_t t = 0; t < seq; ++t) {
        if (!m[b * seq + t] || (pooling_ == Pooling::Cls && t > 0)) continue;
        ++count;
        const float* token = h.data() + (b * seq + t) * dim;
        for (int64_t d = 0; d < dim; ++d)
          row[d] = pooling_ == Pooling::Max ? std::max(row[d], token[d]) : row[d] + token[d];
      }
      if (pooling_ == Pooling::Mean || pooling_ == Pooling::MeanSqrtLen) {
        const float divisor = pooling_ == Pooling::Mean ? std::max<float>(static_cast<float>(count), 1e-9f)
                                                        : std::sqrt(std::max<float>(static_cast<float>(count), 1e-9f));
        for (int64_t d = 0; d < dim; ++d) row[d] /= divisor;
      }
      if (normalize_) {
        double norm = 0.0;
        for (int64_t d = 0; d < dim; ++d) norm += static_cast<double>(row[d]) * row[d];
        const float scale = 1.0f / std::max(static_cast<float>(std::sqrt(norm)), 1e-12f);  // torch's F.normalize eps
        for (int64_t d = 0; d < dim; ++d) row[d] *= scale;
      }
    }
    return Tensor::from_vector(out, {batch, dim});
  }

  std::unique_ptr<PreTrainedModel> model_;
  PreTrainedTokenizerFast tokenizer_;
  Pooling pooling_ = Pooling::Mean;
  bool normalize_ = false;
  std::optional<size_t> max_seq_length_;
};

}  // namespace transformers
