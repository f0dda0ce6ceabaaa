// Maps a tokenizer.json "post_processor" type tag to the class that implements it.
#include <functional>
#include <map>

#include "encoding_ops.hpp"
#include "post_processor.hpp"

namespace transformers::tokenizers::detail {

std::unique_ptr<PostProcessor> make_post_processor(const json& config, const std::string& where) {
  using Maker = std::function<std::unique_ptr<PostProcessor>(const json&, const std::string&)>;
  static const std::map<std::string, Maker> makers = {
      {"TemplateProcessing", make_template_processing}, {"BertProcessing", make_bert_processing},
      {"RobertaProcessing", make_roberta_processing},   {"ByteLevel", make_byte_level_processing},
      {"Sequence", make_sequence_processing},
  };
  const std::string type = component_type(config, where);
  const auto found = makers.find(type);
  if (found == makers.end()) throw_config_error(where, "unknown post-processor type '" + type + "'");
  return found->second(config, where + " " + type);
}

Encoding post_process(const PostProcessor* processor, Encoding first, std::optional<Encoding> second,
                      bool add_special_tokens) {
  std::vector<Encoding> encodings;
  encodings.push_back(std::move(first));
  if (second) encodings.push_back(std::move(*second));
  if (processor) encodings = processor->process_encodings(std::move(encodings), add_special_tokens);
  return merge_all(std::move(encodings));
}

}  // namespace transformers::tokenizers::detail
