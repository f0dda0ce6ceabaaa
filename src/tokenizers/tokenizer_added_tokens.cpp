// Tokenizer::add_tokens: a new pipeline sharing every component but the added vocabulary, so that
// copies of the tokenizer made earlier (and other threads using them) are not affected.
#include <algorithm>

#include "tokenizer_pipeline.hpp"
#include "transformers/core/error.hpp"

namespace transformers::tokenizers {

size_t Tokenizer::add_tokens(const std::vector<AddedToken>& tokens) {
  std::vector<detail::AddedToken> all = pipeline_->added_vocabulary->tokens();
  size_t added = 0;
  for (const AddedToken& token : tokens) {
    if (token.content.empty()) continue;  // as tokenizers: an empty token is ignored
    detail::AddedToken entry;
    entry.content = token.content;
    entry.special = token.special;
    entry.single_word = token.single_word;
    entry.lstrip = token.lstrip;
    entry.rstrip = token.rstrip;
    entry.normalized = token.normalized;
    auto same_content = std::find_if(
        all.begin(), all.end(), [&](const detail::AddedToken& existing) { return existing.content == token.content; });
    if (same_content == all.end()) {
      all.push_back(std::move(entry));
    } else {
      // The same token again changes nothing; with other options it is added beside the old entry
      // (sharing its id) and counts as added, as tokenizers does.
      const detail::AddedToken& old = *same_content;
      if (old.special == entry.special && old.single_word == entry.single_word && old.lstrip == entry.lstrip &&
          old.rstrip == entry.rstrip && old.normalized == entry.normalized)
        continue;
      all.push_back(std::move(entry));
    }
    ++added;
  }
  if (added == 0) return 0;
  auto pipeline = std::make_shared<detail::TokenizerPipeline>(*pipeline_);
  pipeline->added_vocabulary =
      std::make_shared<detail::AddedVocabulary>(std::move(all), *pipeline->model, pipeline->normalizer.get());
  pipeline_ = std::move(pipeline);
  return added;
}

const std::string& Tokenizer::model_type() const { return pipeline_->model_type; }

const std::vector<std::string>& Tokenizer::decoder_types() const { return pipeline_->decoder_types; }

}  // namespace transformers::tokenizers
