// BertProcessing: [CLS] A [SEP] (B [SEP]), with type id 1 for B and its [SEP].
#include "template_processing.hpp"

namespace transformers::tokenizers::detail {

std::unique_ptr<PostProcessor> make_bert_processing(const json& config, const std::string& where) {
  const auto [cls, cls_id] = token_and_id_field(config, "cls", where);
  const auto [sep, sep_id] = token_and_id_field(config, "sep", where);
  std::map<std::string, SpecialTokenIds> specials;
  specials[cls] = {{cls_id}, {cls}};
  specials[sep] = {{sep_id}, {sep}};
  const TemplatePiece first{true, false, "", 0}, second{true, true, "", 1};
  std::vector<TemplatePiece> single = {{false, false, cls, 0}, first, {false, false, sep, 0}};
  std::vector<TemplatePiece> pair = single;
  pair.push_back(second);
  pair.push_back({false, false, sep, 1});
  return std::make_unique<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials), where);
}

}  // namespace transformers::tokenizers::detail
