// Sequence pre-tokenizer: each pre-tokenizer in turn refines the current splits.
#include "pre_tokenizer.hpp"

namespace transformers::tokenizers::detail {

namespace {

class SequencePreTokenizer final : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void pre_tokenize(PreTokenizedString& text) const override {
    for (const auto& step : steps_) step->pre_tokenize(text);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_sequence_pre_tokenizer(const json& config, const std::string& where) {
  const json& list = required_field(config, "pretokenizers", where);
  if (!list.is_array()) throw_config_error(where, "field 'pretokenizers' must be a list");
  std::vector<std::unique_ptr<PreTokenizer>> steps;
  for (size_t i = 0; i < list.size(); ++i)
    steps.push_back(make_pre_tokenizer(list[i], where + " pretokenizers[" + std::to_string(i) + "]"));
  return std::make_unique<SequencePreTokenizer>(std::move(steps));
}

}  // namespace transformers::tokenizers::detail
