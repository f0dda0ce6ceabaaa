#pragma once
// TemplateProcessing: "[CLS] $A [SEP] $B:1 [SEP]:1"-style templates; BertProcessing and
// RobertaProcessing are fixed templates of it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "post_processor.hpp"

namespace transformers::tokenizers::detail {

struct TemplatePiece {
  bool is_sequence = false;
  bool is_second = false;    // sequence B
  std::string special_name;  // key into the special tokens when !is_sequence
  int64_t type_id = 0;
};

struct SpecialTokenIds {
  std::vector<int64_t> ids;
  std::vector<std::string> tokens;
};

class TemplateProcessing final : public PostProcessor {
 public:
  TemplateProcessing(std::vector<TemplatePiece> single, std::vector<TemplatePiece> pair,
                     std::map<std::string, SpecialTokenIds> special_tokens, const std::string& where);

  size_t added_tokens(bool is_pair) const override;
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const override;

 private:
  Encoding special_encoding(const TemplatePiece& piece) const;

  std::vector<TemplatePiece> single_, pair_;
  std::map<std::string, SpecialTokenIds> special_tokens_;
};

}  // namespace transformers::tokenizers::detail
