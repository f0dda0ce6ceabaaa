// ByteLevel and RoBERTa post-processors: trim offsets past spaces; RoBERTa adds <s> A </s></s> B </s>
// with every type id 0.
#include "byte_level.hpp"
#include "template_processing.hpp"

namespace transformers::tokenizers::detail {

namespace {

void trim_all(std::vector<Encoding>& encodings, bool add_prefix_space) {
  for (Encoding& encoding : encodings) {
    trim_byte_level_offsets(encoding, add_prefix_space);
    for (Encoding& overflow : encoding.overflowing) trim_byte_level_offsets(overflow, add_prefix_space);
  }
}

class ByteLevelProcessing final : public PostProcessor {
 public:
  ByteLevelProcessing(bool trim_offsets, bool add_prefix_space)
      : trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}

  size_t added_tokens(bool) const override { return 0; }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool) const override {
    if (trim_offsets_) trim_all(encodings, add_prefix_space_);
    return encodings;
  }

 private:
  bool trim_offsets_, add_prefix_space_;
};

// RoBERTa gives every token type id 0, overflowing windows included.
void zero_type_ids(Encoding& encoding) {
  encoding.type_ids.assign(encoding.ids.size(), 0);
  for (Encoding& overflow : encoding.overflowing) zero_type_ids(overflow);
}

class RobertaProcessing final : public PostProcessor {
 public:
  RobertaProcessing(std::unique_ptr<TemplateProcessing> specials, bool trim_offsets, bool add_prefix_space)
      : specials_(std::move(specials)), trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}

  size_t added_tokens(bool is_pair) const override { return specials_->added_tokens(is_pair); }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    if (trim_offsets_) trim_all(encodings, add_prefix_space_);
    for (Encoding& encoding : encodings) zero_type_ids(encoding);
    return specials_->process_encodings(std::move(encodings), add_special_tokens);
  }

 private:
  std::unique_ptr<TemplateProcessing> specials_;  // all type ids 0
  bool trim_offsets_, add_prefix_space_;
};

}  // namespace

std::unique_ptr<PostProcessor> make_byte_level_processing(const json& config, const std::string& where) {
  return std::make_unique<ByteLevelProcessing>(bool_field(config, "trim_offsets", true, where),
                                               bool_field(config, "add_prefix_space", true, where));
}

std::unique_ptr<PostProcessor> make_roberta_processing(const json& config, const std::string& where) {
  const auto [cls, cls_id] = token_and_id_field(config, "cls", where);
  const auto [sep, sep_id] = token_and_id_field(config, "sep", where);
  std::map<std::string, SpecialTokenIds> specials;
  specials[cls] = {{cls_id}, {cls}};
  specials[sep] = {{sep_id}, {sep}};
  const TemplatePiece first{true, false, "", 0}, second{true, true, "", 0};
  const TemplatePiece cls_piece{false, false, cls, 0}, sep_piece{false, false, sep, 0};
  std::vector<TemplatePiece> single = {cls_piece, first, sep_piece};
  std::vector<TemplatePiece> pair = {cls_piece, first, sep_piece, sep_piece, second, sep_piece};
  auto templates = std::make_unique<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials), where);
  return std::make_unique<RobertaProcessing>(std::move(templates), bool_field(config, "trim_offsets", true, where),
                                             bool_field(config, "add_prefix_space", true, where));
}

}  // namespace transformers::tokenizers::detail
