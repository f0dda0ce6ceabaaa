// Sequence post-processor: each processor in turn, on the pieces the previous one produced.
#include "post_processor.hpp"

namespace transformers::tokenizers::detail {

namespace {

class SequenceProcessing final : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<std::unique_ptr<PostProcessor>> steps) : steps_(std::move(steps)) {}

  size_t added_tokens(bool is_pair) const override {
    size_t count = 0;
    for (const auto& step : steps_) count += step->added_tokens(is_pair);
    return count;
  }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const override {
    for (const auto& step : steps_) encodings = step->process_encodings(std::move(encodings), add_special_tokens);
    return encodings;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> steps_;
};

}  // namespace

std::unique_ptr<PostProcessor> make_sequence_processing(const json& config, const std::string& where) {
  const json& list = required_field(config, "processors", where);
  if (!list.is_array()) throw_config_error(where, "field 'processors' must be a list");
  std::vector<std::unique_ptr<PostProcessor>> steps;
  for (size_t i = 0; i < list.size(); ++i)
    steps.push_back(make_post_processor(list[i], where + " processors[" + std::to_string(i) + "]"));
  return std::make_unique<SequenceProcessing>(std::move(steps));
}

}  // namespace transformers::tokenizers::detail
