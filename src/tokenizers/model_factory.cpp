// Maps a tokenizer.json "model" type tag to the class that implements it.
#include <functional>
#include <map>

#include "fast_json.hpp"
#include "model.hpp"

namespace transformers::tokenizers::detail {

namespace {

// Old files may leave out "type"; HF then tries BPE, WordPiece, WordLevel and Unigram in turn, which
// the fields tell apart.
std::string untagged_model_type(const json& config) {
  if (config.contains("vocab") && (config["vocab"].is_array() || is_compact(config["vocab"], kCompactUnigramVocab)))
    return "Unigram";
  if (config.contains("merges")) return "BPE";
  if (config.contains("continuing_subword_prefix") || config.contains("max_input_chars_per_word")) return "WordPiece";
  return "WordLevel";
}

}  // namespace

std::unique_ptr<Model> make_model(const json& config, const std::string& where) {
  using Maker = std::function<std::unique_ptr<Model>(const json&, const std::string&)>;
  static const std::map<std::string, Maker> makers = {
      {"WordPiece", make_wordpiece_model},
      {"BPE", make_bpe_model},
      {"Unigram", make_unigram_model},
      {"WordLevel", make_wordlevel_model},
      {"MarianSentencePiece", make_marian_model},  // built for MarianTokenizer folders, not in tokenizer.json
  };
  const std::string type =
      config.is_object() && !config.contains("type") ? untagged_model_type(config) : component_type(config, where);
  const auto found = makers.find(type);
  if (found == makers.end()) throw_config_error(where, "unknown model type '" + type + "'");
  return found->second(config, where + " " + type);
}

}  // namespace transformers::tokenizers::detail
