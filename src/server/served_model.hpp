#pragma once
// A model the server holds: what kind it is (which routes take it), the loaded pieces, the shared
// batch its generations decode in together, and the turn other requests take one after another
// (each with all the threads).
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <transformers/generation/generation_config.hpp>
#include <transformers/pipelines/pipeline.hpp>
#include <transformers/pipelines/sentence_transformer.hpp>
#include <transformers/server/server.hpp>

#include "../generation/shared_batch.hpp"
#include "request_batcher.hpp"

namespace transformers::server {

enum class ModelKind { CausalLM, Embedding, Classifier };

std::string kind_name(ModelKind kind);  // "text-generation", "embedding", "classifier"

struct ServedModel {
  std::string name;
  ModelKind kind = ModelKind::CausalLM;
  // CausalLM: the model, its tokenizer and generation config.
  std::unique_ptr<PreTrainedModel> causal_lm;
  std::optional<PreTrainedTokenizerFast> tokenizer;
  GenerationConfig generation;
  // Continuous batching of its one-row generations, where the model allows it (else they take turns).
  std::unique_ptr<generation_detail::SharedBatch> batch;
  // Embedding: sentence-transformers' modules (pooling, normalization) over the encoder.
  std::optional<SentenceTransformer> embedder;
  // Classifier: the text-classification pipeline (also scores /rerank's query-text pairs).
  std::unique_ptr<Pipeline> classifier;
  // Concurrent embedding or classification requests share forward passes.
  struct TextsRequest {
    const std::vector<std::string>* texts = nullptr;
    size_t longest = 0;  // tokens of its longest text
  };
  struct CallRequest {
    PipelineCall call;
    size_t longest = 0;
  };
  RequestBatcher<TextsRequest, std::vector<std::vector<float>>> embedding_batches;
  RequestBatcher<CallRequest, nlohmann::json> classification_batches;

  std::mutex turn;                // held by the request running on the model
  std::atomic<size_t> queued{0};  // requests waiting for the turn

  const PreTrainedTokenizerFast& text_tokenizer() const;
};

// Loads spec.path as the kind its files say: modules.json is a sentence-transformers embedding
// model, a *ForSequenceClassification architecture a classifier, anything else a causal LM (a .gguf
// file and PEFT adapter folders included).
std::unique_ptr<ServedModel> load_served_model(const ModelSpec& spec, size_t max_batch_rows);

// The name a spec is served under: its own, else the last part of its path.
std::string served_name(const ModelSpec& spec);

// Holds the model's turn, counting the wait in `queued` (the /metrics queue depth).
class Turn {
 public:
  explicit Turn(ServedModel& model) : model_(model) {
    ++model_.queued;
    lock_ = std::unique_lock<std::mutex>(model_.turn);
    --model_.queued;
  }

 private:
  ServedModel& model_;
  std::unique_lock<std::mutex> lock_;
};

}  // namespace transformers::server
